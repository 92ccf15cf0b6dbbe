// A token bucket: `rate` tokens per second up to `burst`. Not thread-safe:
// callers keep one per shard or guard it.
#ifndef SERVER_INTERCEPT_TOKEN_BUCKET_H_
#define SERVER_INTERCEPT_TOKEN_BUCKET_H_

#include <algorithm>
#include <chrono>

namespace mysqlgw {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate, double burst, Clock::time_point now = Clock::now())
      : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  // Takes `n` tokens if available.
  bool TryTake(double n = 1, Clock::time_point now = Clock::now()) {
    Refill(now);
    if (tokens_ < n) return false;
    tokens_ -= n;
    return true;
  }
  // Takes `n` tokens even if that leaves a debt (for costs known only
  // afterwards, such as result bytes): later TryTake calls fail until the
  // debt is paid back.
  void Charge(double n, Clock::time_point now = Clock::now()) {
    Refill(now);
    tokens_ -= n;
  }
  // False while a debt from Charge is unpaid.
  bool InCredit(Clock::time_point now = Clock::now()) {
    Refill(now);
    return tokens_ > 0;
  }
  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void Refill(Clock::time_point now) {
    if (now <= last_) return;
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_TOKEN_BUCKET_H_
