package mysqlgw

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	pb "mysqlgw/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestKinds(t *testing.T) {
	cases := []struct {
		code  codes.Code
		errno uint32
		want  Kind
	}{
		{codes.AlreadyExists, 1062, ErrIntegrity},
		{codes.FailedPrecondition, 1452, ErrIntegrity}, // errno beats the code
		{codes.InvalidArgument, 1406, ErrData},
		{codes.AlreadyExists, 1050, ErrProgramming},
		{codes.InvalidArgument, 1064, ErrProgramming},
		{codes.NotFound, 1146, ErrProgramming},
		{codes.Aborted, 1213, ErrOperational},
		{codes.Unavailable, 0, ErrOperational},
		{codes.DeadlineExceeded, 0, ErrOperational},
		{codes.Unauthenticated, 0, ErrNotAuthorized},
		{codes.Internal, 0, ErrInternal},
		{codes.Unimplemented, 0, ErrNotSupported},
		{codes.Unknown, 1205, ErrOperational},
		{codes.Unknown, 1142, ErrNotAuthorized},
		{codes.Unknown, 9999, ErrDatabase},
	}
	for _, c := range cases {
		if got := kindOf(c.code, c.errno); got != c.want {
			t.Errorf("kindOf(%v, %d) = %q, want %q", c.code, c.errno, got, c.want)
		}
	}
}

func TestFromRPC(t *testing.T) {
	st, err := status.New(codes.AlreadyExists, "gateway: duplicate").WithDetails(
		&pb.MySqlError{Code: 1062, SqlState: "23000", Message: "Duplicate entry '1' for key 'PRIMARY'"})
	if err != nil {
		t.Fatal(err)
	}
	got := fromRPC(fmt.Errorf("wrapped: %w", st.Err()))
	var e *Error
	if !errors.As(got, &e) {
		t.Fatalf("not an *Error: %#v", got)
	}
	if e.Code != codes.AlreadyExists || e.Errno != 1062 || e.SQLState != "23000" ||
		e.Message != "Duplicate entry '1' for key 'PRIMARY'" || e.StatusMessage != "gateway: duplicate" {
		t.Errorf("fields: %+v", e)
	}
	if !errors.Is(got, ErrIntegrity) || errors.Is(got, ErrProgramming) {
		t.Errorf("errors.Is: %v", got)
	}
	if s := e.Error(); s != "mysqlgw: AlreadyExists (1062/23000): Duplicate entry '1' for key 'PRIMARY'" {
		t.Errorf("Error() = %q", s)
	}

	plain := fromRPC(status.Error(codes.Unauthenticated, "no token"))
	if !errors.As(plain, &e) || e.Errno != 0 || e.Message != "no token" || !errors.Is(plain, ErrNotAuthorized) {
		t.Errorf("without details: %#v", plain)
	}
	if fromRPC(nil) != nil {
		t.Error("fromRPC(nil) != nil")
	}
	if fromRPC(io.EOF) != io.EOF {
		t.Error("a non-status error must pass through")
	}
	cancelled := fromRPC(status.FromContextError(context.Canceled).Err())
	if !errors.Is(cancelled, ErrOperational) {
		t.Errorf("cancelled: %v", cancelled)
	}
}
