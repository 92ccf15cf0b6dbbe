package mysqlgw

import (
	"errors"
	"fmt"

	pb "mysqlgw/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Kind is the class of a failure, in the spirit of PEP 249's exception
// classes. Test for one with errors.Is(err, mysqlgw.ErrIntegrity).
type Kind string

func (k Kind) Error() string { return "mysqlgw: " + string(k) + " error" }

const (
	// ErrIntegrity: a constraint (duplicate key 1062, foreign key 1451/1452,
	// NOT NULL 1048, CHECK).
	ErrIntegrity Kind = "integrity"
	// ErrProgramming: bad SQL (1064), unknown table/column (1146, 1054),
	// unknown transaction, bad parameters.
	ErrProgramming Kind = "programming"
	// ErrData: a value the column cannot take (1264, 1292, 1366, 1406...).
	ErrData Kind = "data"
	// ErrOperational: transient or environmental (unavailable, deadline,
	// deadlock 1213: retry the transaction, limits, read-only server).
	ErrOperational Kind = "operational"
	// ErrNotAuthorized: UNAUTHENTICATED, PERMISSION_DENIED.
	ErrNotAuthorized Kind = "not authorized"
	ErrNotSupported  Kind = "not supported"
	ErrInternal      Kind = "internal"
	// ErrDatabase: any other database error.
	ErrDatabase Kind = "database"
)

// Error is a failed call. Errno, SQLState and Message come from the
// MySqlError in the status details when the database produced the error.
type Error struct {
	Code          codes.Code // the call's gRPC status code
	Errno         uint32     // MySQL errno, 0 when none
	SQLState      string
	Message       string // the database's message, else the gateway's
	StatusMessage string // the gRPC status message
}

func (e *Error) Error() string {
	if e.Errno != 0 {
		return fmt.Sprintf("mysqlgw: %s (%d/%s): %s", e.Code, e.Errno, e.SQLState, e.Message)
	}
	return fmt.Sprintf("mysqlgw: %s: %s", e.Code, e.Message)
}

// Kind classifies the error: the errno first, where it is more precise
// than the status code, then the code.
func (e *Error) Kind() Kind { return kindOf(e.Code, e.Errno) }

// Is makes errors.Is(err, ErrIntegrity) and the other kinds work.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && e.Kind() == k
}

var (
	integrityErrnos = set(1062, 1586, 1022, 1169, 1048, 1451, 1452, 1216, 1217, 1557, 1761,
		1762, 1859, 3819, 4025)
	dataErrnos         = set(1263, 1264, 1265, 1171, 1292, 1365, 1366, 1367, 1406, 1441, 1690)
	notSupportedErrnos = set(1235, 1295)
	programmingErrnos  = set(1007, 1050, 1049, 1054, 1064, 1060, 1061, 1091, 1110, 1136, 1146,
		1149, 1305)
	operationalErrnos   = set(1040, 1053, 1205, 1213, 1290, 1927, 1969, 2006, 2013, 3024)
	notAuthorizedErrnos = set(1044, 1045, 1142, 1143, 1227, 1370)
)

func set(errnos ...uint32) map[uint32]bool {
	m := make(map[uint32]bool, len(errnos))
	for _, e := range errnos {
		m[e] = true
	}
	return m
}

func kindOf(code codes.Code, errno uint32) Kind {
	switch {
	case integrityErrnos[errno]:
		return ErrIntegrity
	case dataErrnos[errno]:
		return ErrData
	case notSupportedErrnos[errno]:
		return ErrNotSupported
	case errno == 1007 || errno == 1050: // exists: a DDL mistake, not a constraint
		return ErrProgramming
	}
	switch code {
	case codes.AlreadyExists:
		return ErrIntegrity
	case codes.InvalidArgument, codes.NotFound:
		return ErrProgramming
	case codes.OutOfRange:
		return ErrData
	case codes.FailedPrecondition, codes.Unavailable, codes.DeadlineExceeded, codes.Aborted,
		codes.ResourceExhausted, codes.Canceled:
		return ErrOperational
	case codes.Unauthenticated, codes.PermissionDenied:
		return ErrNotAuthorized
	case codes.Internal, codes.DataLoss:
		return ErrInternal
	case codes.Unimplemented:
		return ErrNotSupported
	}
	switch {
	case programmingErrnos[errno]:
		return ErrProgramming
	case operationalErrnos[errno]:
		return ErrOperational
	case notAuthorizedErrnos[errno]:
		return ErrNotAuthorized
	}
	return ErrDatabase
}

// fromRPC converts a failed call's error to *Error (gRPC status errors,
// including the context's cancellation and deadline); other errors are
// returned as they are.
func fromRPC(err error) error {
	if err == nil {
		return nil
	}
	var mine *Error
	if errors.As(err, &mine) {
		return err
	}
	// grpc-go 1.33's status.FromError does not look through wrapping.
	var withStatus interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &withStatus) {
		return err
	}
	st := withStatus.GRPCStatus()
	e := &Error{Code: st.Code(), Message: st.Message(), StatusMessage: st.Message()}
	for _, d := range st.Details() {
		if m, ok := d.(*pb.MySqlError); ok {
			e.Errno, e.SQLState = m.Code, m.SqlState
			if m.Message != "" {
				e.Message = m.Message
			}
			break
		}
	}
	return e
}

func invalidArgument(err error) error {
	return &Error{Code: codes.InvalidArgument, Message: err.Error(), StatusMessage: err.Error()}
}
