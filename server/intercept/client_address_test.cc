#include "server/intercept/client_address.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

TEST(ClientAddressTest, ParsesGrpcPeers) {
  EXPECT_EQ(ClientAddress::FromGrpcPeer("ipv4:10.1.2.3:5000").ToString(), "10.1.2.3");
  EXPECT_EQ(ClientAddress::FromGrpcPeer("ipv6:[::1]:5000").ToString(), "::1");
  EXPECT_EQ(ClientAddress::FromGrpcPeer("ipv6:%5B::1%5D:5000").ToString(), "::1");
  EXPECT_EQ(ClientAddress::FromGrpcPeer("ipv6:[fe80::1%25eth0]:1").ToString(), "fe80::1");
  EXPECT_FALSE(ClientAddress::FromGrpcPeer("unix:/tmp/sock").specified());
  EXPECT_FALSE(ClientAddress::FromGrpcPeer("ipv4:999.1.1.1:2").specified());
  EXPECT_FALSE(ClientAddress::FromGrpcPeer("ipv6:[::1").specified());
  EXPECT_FALSE(ClientAddress::FromGrpcPeer("").specified());
}

TEST(ClientAddressTest, Loopback) {
  EXPECT_TRUE(ClientAddress::Parse("127.0.0.5")->is_loopback());
  EXPECT_TRUE(ClientAddress::Parse("::1")->is_loopback());
  EXPECT_FALSE(ClientAddress::Parse("10.0.0.1")->is_loopback());
  EXPECT_FALSE(ClientAddress().is_loopback());
  EXPECT_FALSE(ClientAddress::Parse("localhost").ok());
}

TEST(CidrRangeTest, MatchesV4AndMappedV6) {
  auto r = CidrRange::Parse("10.0.0.0/8");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Contains(*ClientAddress::Parse("10.200.3.4")));
  EXPECT_TRUE(r->Contains(*ClientAddress::Parse("::ffff:10.1.1.1")));
  EXPECT_FALSE(r->Contains(*ClientAddress::Parse("11.0.0.1")));
  EXPECT_FALSE(r->Contains(ClientAddress()));
  auto odd = CidrRange::Parse("192.168.1.128/25");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->Contains(*ClientAddress::Parse("192.168.1.200")));
  EXPECT_FALSE(odd->Contains(*ClientAddress::Parse("192.168.1.127")));
}

TEST(CidrRangeTest, SingleAddressesAndV6) {
  auto one = CidrRange::Parse("127.0.0.1");
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->Contains(*ClientAddress::Parse("127.0.0.1")));
  EXPECT_FALSE(one->Contains(*ClientAddress::Parse("127.0.0.2")));
  auto v6 = CidrRange::Parse("2001:db8::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains(*ClientAddress::Parse("2001:db8:1::7")));
  EXPECT_FALSE(v6->Contains(*ClientAddress::Parse("2001:db9::1")));
  EXPECT_FALSE(v6->Contains(*ClientAddress::Parse("10.0.0.1")));
  auto all = CidrRange::Parse("0.0.0.0/0");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Contains(*ClientAddress::Parse("8.8.8.8")));
  EXPECT_FALSE(all->Contains(*ClientAddress::Parse("2001:db8::1")));
}

TEST(CidrRangeTest, RejectsBadRanges) {
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "nope/8",
                          "::1/129", "", "/8", "10.0.0.0/"}) {
    EXPECT_FALSE(CidrRange::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mysqlgw
