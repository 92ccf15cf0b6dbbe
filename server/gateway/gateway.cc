#include "server/gateway/gateway.h"

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/capabilities.h"
#include "server/auth/principal.h"
#include "server/config/backend_options.h"
#include "server/gateway/database_access.h"
#include "server/gateway/observing_sink.h"
#include "server/gateway/statement.h"
#include "server/log/log.h"
#include "server/routing/read_write_split.h"
#include "server/routing/routing_config.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {
namespace asio = boost::asio;

namespace {

std::chrono::milliseconds ToMillis(const google::protobuf::Duration& d) {
  return std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
}

uint32_t PerShard(uint32_t total, size_t shards) {
  if (total == 0) return 0;
  return static_cast<uint32_t>((total + shards - 1) / shards);
}

// Only statements that cannot leave session state behind skip the reset
// when their connection goes back to the pool; anything else pays one
// COM_RESET_CONNECTION (off the caller's path) to be safe. Session tracking
// catches variables, temporary tables and prepared statements; locks are
// not tracked, hence the textual check.
bool MayReleaseClean(const mysqlwire::Connection& conn, StatementKind kind,
                     absl::string_view sql) {
  if (conn.session_state_changed()) return false;
  if (conn.status_flags() & mysqlwire::kServerStatusInTrans) return false;
  switch (kind) {
    case StatementKind::kSelect:
    case StatementKind::kInsert:
    case StatementKind::kUpdate:
    case StatementKind::kDelete:
    case StatementKind::kReplace:
    case StatementKind::kShow:
      break;
    default:
      return false;
  }
  // GET_LOCK, LOCK TABLES, ... : rare in point statements, costly to miss.
  // Long statements just pay for the reset rather than for the scan.
  if (sql.size() > 4096) return false;
  for (size_t i = 0; i + 4 <= sql.size(); ++i) {
    if (absl::EqualsIgnoreCase(sql.substr(i, 4), "lock")) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(
    const v1::GatewayConfig& config, EventLoops& loops,
    std::vector<std::shared_ptr<Hook>> extra_hooks) {
  std::unique_ptr<Gateway> gw(new Gateway(config, loops));
  const size_t n = loops.size();
  for (const v1::BackendConfig& bc : config.backends()) {
    absl::StatusOr<mysqlwire::ConnectOptions> connect = BackendConnectOptions(bc);
    if (!connect.ok()) return connect.status();
    // Repeated statements skip the prepare round trip. 64 per connection
    // keeps a large pool well under max_prepared_stmt_count (16382).
    connect->statement_cache_size = 64;
    // Session tracking tells the pool when a connection needs a reset.
    connect->init_statements.insert(connect->init_statements.begin(),
                                    "SET SESSION session_track_state_change = ON");
    auto backend = std::make_unique<Backend>();
    backend->name = bc.name();
    backend->role = bc.role() == v1::BACKEND_ROLE_UNSPECIFIED ? v1::BACKEND_ROLE_PRIMARY
                                                               : bc.role();
    backend->default_database = connect->database;
    backend->connect = *connect;
    backend->executor = std::make_unique<StatementExecutor>(*connect);
    const v1::PoolConfig& pc = bc.pool();
    PoolOptions po;
    po.connect = *connect;
    po.min_idle = PerShard(pc.min_idle(), n);
    po.max_open = std::max<uint32_t>(1, PerShard(pc.max_open(), n));
    po.max_waiters = PerShard(pc.max_waiters(), n);
    po.idle_timeout = ToMillis(pc.idle_timeout());
    po.max_lifetime = ToMillis(pc.max_lifetime());
    po.liveness_check_after = ToMillis(pc.liveness_check_after());
    for (size_t i = 0; i < n; ++i) {
      backend->shards.push_back(std::make_unique<ConnectionPool>(
          loops.loop(i).get_executor(), backend->name, po));
    }
    gw->backends_.push_back(std::move(backend));
  }
  if (gw->backends_.empty()) return absl::InvalidArgumentError("no backend configured");
  // The primary goes first: without routing rules every statement goes there.
  std::stable_partition(gw->backends_.begin(), gw->backends_.end(),
                        [](const auto& b) { return b->role == v1::BACKEND_ROLE_PRIMARY; });

  TransactionLimits tl;
  tl.default_idle_timeout = ToMillis(config.transactions().default_idle_timeout());
  tl.max_idle_timeout = ToMillis(config.transactions().max_idle_timeout());
  tl.max_lifetime = ToMillis(config.transactions().max_lifetime());
  tl.max_open = PerShard(config.transactions().max_open(), n);
  for (size_t i = 0; i < n; ++i) {
    Shard shard;
    shard.transactions =
        std::make_unique<TransactionRegistry>(loops.loop(i).get_executor(), i, tl);
    // The interceptor exists by the time a transaction can end.
    shard.transactions->set_on_end([gw = gw.get()](const std::string& principal) {
      gw->interceptor_->Current()->limits().CloseTransaction(principal);
    });
    gw->shards_.push_back(std::move(shard));
  }

  if (absl::Status s = gw->CreateRouting(config); !s.ok()) return s;

  PolicyEnvironment env;
  env.shards = n;
  for (const auto& backend : gw->backends_) env.backend_names.push_back(backend->name);
  env.extra_hooks = std::move(extra_hooks);
  const v1::ObservabilityConfig& observability = config.observability();
  const auto slow = std::chrono::microseconds(
      observability.slow_statement_threshold().seconds() * 1000000 +
      observability.slow_statement_threshold().nanos() / 1000);
  std::shared_ptr<AuditLog> slow_log;
  if (slow.count() > 0) {
    absl::StatusOr<std::shared_ptr<AuditLog>> opened =
        AuditLog::Open(observability.slow_log_file());
    if (!opened.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("observability.slow_log_file: ", opened.status().message()));
    }
    slow_log = *std::move(opened);
  }
  gw->digest_stats_ = std::make_shared<DigestStats>(
      std::max<uint32_t>(1, observability.max_tracked_digests()), slow, std::move(slow_log));
  env.observers.push_back(gw->digest_stats_);
  if (const std::string& access = observability.access_log(); !access.empty() && access != "off") {
    AccessLogOptions options;
    options.destination = access;
    options.format = observability.log_format() == v1::LOG_FORMAT_JSON ? LogFormat::kJson
                                                                        : LogFormat::kText;
    options.log_parameter_values = observability.log_parameter_values();
    absl::StatusOr<std::unique_ptr<AccessLog>> opened = AccessLog::Open(std::move(options));
    if (!opened.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("observability.access_log: ", opened.status().message()));
    }
    gw->access_log_ = *std::move(opened);
  }
  absl::StatusOr<std::unique_ptr<Interceptor>> interceptor =
      Interceptor::Create(config.interception(), std::move(env));
  if (!interceptor.ok()) return interceptor.status();
  gw->interceptor_ = *std::move(interceptor);
  gw->ApplyRoutingSettings(*gw->interceptor_->Current());
  return gw;
}

absl::Status Gateway::CreateRouting(const v1::GatewayConfig& config) {
  const RoutingSettings settings = RoutingSettingsFromConfig(config.interception().routing());
  read_your_writes_ = std::make_unique<ReadYourWrites>(settings.read_your_writes_window);
  const bool has_replica =
      std::any_of(backends_.begin(), backends_.end(),
                  [](const auto& b) { return b->role == v1::BACKEND_ROLE_REPLICA; });
  if (!has_replica) return absl::OkStatus();
  absl::StatusOr<std::vector<HealthCheckTarget>> targets = HealthTargetsFromConfig(config);
  if (!targets.ok()) return targets.status();
  HealthCheckOptions options;
  options.interval = settings.health_check_interval;
  options.log = [](absl::string_view line) { Log(LogLevel::kInfo, "routing", line); };
  // The checks run on the first event loop; they are short and rare.
  health_ = std::make_unique<HealthChecker>(loops_.loop(0).get_executor(), *std::move(targets),
                                            std::move(options));
  absl::StatusOr<std::unique_ptr<ReplicaSelector>> selector = ReplicaSelector::Create(
      RoutingBackendsFromConfig(config), health_.get(), settings.max_replica_lag);
  if (!selector.ok()) return selector.status();
  selector_ = *std::move(selector);
  for (const RoutingBackend& rb : selector_->backends()) {
    Backend* found = nullptr;
    for (auto& b : backends_) {
      if (b->name == rb.name) found = b.get();
    }
    if (found == nullptr) return absl::InternalError("routing backend without a pool");
    selector_backends_.push_back(found);
  }
  return absl::OkStatus();
}

void Gateway::ApplyRoutingSettings(const Policy& policy) {
  // Once per policy generation, not per statement.
  uint64_t seen = routing_generation_.load(std::memory_order_relaxed);
  if (seen == policy.generation() ||
      !routing_generation_.compare_exchange_strong(seen, policy.generation())) {
    return;
  }
  const RoutingSettings settings = RoutingSettingsFromConfig(policy.config().routing());
  read_your_writes_->set_window(settings.read_your_writes_window);
  if (selector_ != nullptr) selector_->set_max_replica_lag(settings.max_replica_lag);
}

asio::awaitable<void> Gateway::MeasureQuotas() {
  // Runs on loop 0 until shutdown. The quotas in force may change with
  // every reload, so each round reads the current policy's.
  while (!stopping_) {
    std::shared_ptr<const Policy> policy = interceptor_->Current();
    DatabaseQuota& quota = policy->quota();
    if (!quota.databases().empty()) {
      absl::Status s = co_await MeasureQuotasOnce(quota);
      if (!s.ok()) {
        Log(LogLevel::kWarning, "quota",
            absl::StrCat("measuring database sizes failed (quotas keep their last sizes): ",
                         s.message()));
      }
    }
    quota_timer_.expires_after(quota.databases().empty() ? std::chrono::seconds(1)
                                                         : quota.refresh_interval());
    policy.reset();
    auto [ec] = co_await quota_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  }
}

asio::awaitable<absl::Status> Gateway::MeasureQuotasOnce(DatabaseQuota& quota) {
  absl::StatusOr<PooledConnection> conn = co_await Primary().shards[0]->Acquire(
      std::chrono::steady_clock::now() + std::chrono::seconds(10));
  if (!conn.ok()) co_return conn.status();
  const bool no_backslash_escapes =
      ((*conn)->status_flags() & mysqlwire::kServerStatusNoBackslashEscapes) != 0;
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> results =
      co_await (*conn)->Query(QuotaQuery(quota, no_backslash_escapes));
  if (!results.ok()) {
    if (!(*conn)->usable()) conn->Discard();
    co_return results.status();
  }
  conn->Release();
  std::vector<std::pair<std::string, std::string>> rows;
  for (const mysqlwire::ResultSet& rs : *results) {
    for (const auto& row : rs.rows) {
      if (row.size() != 2) co_return absl::InternalError("quota query: unexpected columns");
      auto text = [](const mysqlwire::Value& v) -> std::string {
        switch (v.kind()) {
          case mysqlwire::Value::Kind::kString:
            return v.as_string();
          case mysqlwire::Value::Kind::kBytes:
            return v.as_bytes();
          case mysqlwire::Value::Kind::kDecimal:
            return v.as_decimal();
          case mysqlwire::Value::Kind::kInt64:
            return absl::StrCat(v.as_int64());
          case mysqlwire::Value::Kind::kUint64:
            return absl::StrCat(v.as_uint64());
          default:
            return v.DebugString();
        }
      };
      rows.emplace_back(text(row[0]), text(row[1]));
    }
  }
  co_return ApplyQuotaRows(quota, rows);
}

std::vector<std::pair<std::string, BackendHealth>> Gateway::BackendHealthSnapshot() const {
  if (health_ == nullptr) return {};
  return health_->SnapshotAll();
}

Gateway::Gateway(const v1::GatewayConfig& config, EventLoops& loops)
    : config_(config), loops_(loops), quota_timer_(loops.loop(0)) {
  for (uint32_t e : config.retry().transient_errnos()) transient_errnos_.insert(e);
}

Gateway::~Gateway() = default;

void Gateway::Start() {
  if (health_ != nullptr) health_->Start();
  asio::co_spawn(loops_.loop(0), MeasureQuotas(), asio::detached);
  for (size_t i = 0; i < shards_.size(); ++i) {
    asio::post(loops_.loop(i), [this, i] {
      shards_[i].transactions->Start();
      for (auto& backend : backends_) backend->shards[i]->Start();
    });
  }
}

absl::StatusOr<size_t> Gateway::ShardFor(absl::string_view transaction_id) {
  if (transaction_id.empty()) return loops_.Next();
  std::optional<size_t> shard = TransactionRegistry::ShardOf(transaction_id);
  if (!shard.has_value() || *shard >= shards_.size()) {
    return absl::NotFoundError(absl::StrCat("unknown transaction id '", transaction_id, "'"));
  }
  return *shard;
}

std::chrono::milliseconds Gateway::StatementTimeout(const v1::CallOptions& options) const {
  if (options.has_timeout()) return ToMillis(options.timeout());
  return ToMillis(config_.limits().default_statement_timeout());
}

std::chrono::milliseconds Gateway::TimeoutFor(const Work& work) const {
  // The tighter of the call's timeout (0: none) and a hook's.
  const std::chrono::milliseconds call = StatementTimeout(*work.options);
  if (!work.timeout.has_value()) return call;
  if (call.count() == 0) return *work.timeout;
  return std::min(call, *work.timeout);
}

// A backend that refuses the gateway (wrong backend password, too many
// connections) is the operator's problem, not the caller's: the caller sees
// UNAVAILABLE, never the backend's access-denied details.
absl::Status Gateway::BackendUnavailable(const std::string& backend, const absl::Status& s) {
  if (s.code() == absl::StatusCode::kDeadlineExceeded ||
      s.code() == absl::StatusCode::kResourceExhausted ||
      s.code() == absl::StatusCode::kCancelled) {
    return s;  // The call's own deadline, or the pool's wait queue.
  }
  return absl::UnavailableError(
      absl::StrCat("backend '", backend, "' is unavailable: ", s.message()));
}

bool Gateway::IsTransient(const absl::Status& status) const {
  if (mysqlwire::IsProtocolError(status)) return true;
  if (std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(status)) {
    return transient_errnos_.contains(e->code) || e->code == 2006 || e->code == 2013;
  }
  return status.code() == absl::StatusCode::kUnavailable;
}

absl::StatusOr<Gateway::Work> Gateway::Prepare(
    const CallInfo& call, const Policy& policy, const std::string& sql,
    const google::protobuf::RepeatedPtrField<v1::Value>& params,
    const google::protobuf::Map<std::string, v1::Value>& named,
    const v1::CallOptions& options, const std::string& transaction_id) {
  absl::StatusOr<Statement> statement =
      BuildStatement(sql, params, named, options.parameter_mode());
  if (!statement.ok()) return statement.status();
  return PrepareBuilt(call, policy, *std::move(statement), options, transaction_id);
}

namespace {

absl::Status SyntaxError(absl::string_view sql) {
  absl::string_view near = sql.substr(0, 80);
  return mysqlwire::ServerErrorStatus(mysqlwire::ServerError{
      1064, "42000",
      absl::StrCat("You have an error in your SQL syntax; no MySQL or MariaDB statement begins "
                   "like this, near '",
                   near, "' at line 1")});
}

}  // namespace

absl::StatusOr<Gateway::Work> Gateway::PrepareBuilt(const CallInfo& call, const Policy& policy,
                                                    Statement statement,
                                                    const v1::CallOptions& options,
                                                    const std::string& transaction_id) {
  if (statement.sql.size() > kMaxSqlBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("sql is ", statement.sql.size(), " bytes; the limit is ", kMaxSqlBytes));
  }
  std::shared_ptr<const StatementAnalysis> analysis =
      AnalyzeStatementText(statement.sql, /*reuse=*/statement.has_params);
  const StatementInfo& info = analysis->info;
  const StatementKind kind = info.kind;
  const v1::Operation op = info.operation;
  if (info.unrecognized && !call.principal->Allows(v1::OPERATION_ADMIN)) {
    // What the server would say, rather than a permission error about a
    // statement that does not exist. (Admins reach the server, which may
    // know statements newer than this list.)
    return SyntaxError(statement.sql);
  }
  if (info.multiple_statements && !call.principal->Allows(v1::OPERATION_ADMIN)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "principal '", call.principal->name,
        "' may not send several statements in one call (needs the admin operation)"));
  }
  const std::string& database =
      options.database().empty() ? Primary().default_database : options.database();
  if (absl::Status s = Authorize(*call.principal, op, database); !s.ok()) return s;
  Work work;
  work.call = &call;
  work.options = &options;
  work.transaction_id = &transaction_id;
  work.statement = std::move(statement);
  work.kind = kind;
  work.read_only = op == v1::OPERATION_READ;
  work.policy = &policy;
  StatementContext& ctx = work.context;
  ctx.client = &call.client;
  ctx.shard = call.shard;
  ctx.database = database;
  ctx.sql = work.statement.sql;
  ctx.has_params = work.statement.has_params;
  ctx.in_transaction = !transaction_id.empty();
  // Digest and tables once per statement: for the databases it names here,
  // then for the hooks. The kind is known already.
  ctx.kind = kind;
  ctx.digest = analysis->digest.hash;
  ctx.digest_text = analysis->digest.text;
  ctx.tables = analysis->digest.tables;
  ctx.derived = true;
  work.analysis = std::move(analysis);
  if (absl::Status s = CheckNamedDatabases(*call.principal, op, ctx); !s.ok()) return s;
  return work;
}

absl::Status Gateway::Admit(const CallInfo& call, const Policy& policy) const {
  return policy.chain().OnConnect(call.client);
}

absl::Status Gateway::ApplyPlan(const StatementPlan& plan, Work& work) {
  const StatementContext& ctx = work.context;
  if (ctx.sql != work.statement.sql) {
    // The backend runs the rewritten text: it is what the principal must be
    // allowed to run.
    work.analysis = AnalyzeStatementText(ctx.sql, /*reuse=*/false);
    const StatementInfo& info = work.analysis->info;
    if (info.multiple_statements && !work.call->principal->Allows(v1::OPERATION_ADMIN)) {
      return absl::PermissionDeniedError(
          "a rewrite produced several statements, which this principal may not send");
    }
    if (absl::Status s = Authorize(*work.call->principal, info.operation, ctx.database);
        !s.ok()) {
      return absl::PermissionDeniedError(
          absl::StrCat("after rewrite by interception: ", s.message()));
    }
    work.statement.sql = ctx.sql;
    work.kind = info.kind;
    work.read_only = info.operation == v1::OPERATION_READ;
  }
  if (plan.timeout.has_value()) work.timeout = plan.timeout;
  if (ctx.in_transaction) {
    // A transaction lives on its own connection to the primary.
    work.backend = &Primary();
    if (selector_ != nullptr) work.selector_index = selector_->primary_index();
    return absl::OkStatus();
  }
  return Route(plan.route, work);
}

absl::Status Gateway::Route(RouteTarget target, Work& work) {
  const Policy& policy = *work.policy;
  ApplyRoutingSettings(policy);
  if (target.kind == RouteTarget::Kind::kDefault && selector_ != nullptr &&
      policy.config().routing().read_write_split() &&
      ShouldReadFromReplica(work.statement.sql, /*in_transaction=*/false) &&
      !read_your_writes_->MustUsePrimary(work.call->principal->name,
                                         std::chrono::steady_clock::now())) {
    target.kind = RouteTarget::Kind::kReplica;
  }
  if (selector_ != nullptr) {
    absl::StatusOr<RouteChoice> choice = selector_->Pick(target);
    if (!choice.ok()) return choice.status();
    if (choice->fell_back) replica_fallbacks_.fetch_add(1, std::memory_order_relaxed);
    work.selector_index = choice->index;
    work.backend = selector_backends_[choice->index];
    return absl::OkStatus();
  }
  // Without replicas everything runs on the primary, unless a hook named
  // another backend.
  work.backend = &Primary();
  if (target.kind == RouteTarget::Kind::kNamed) {
    work.backend = nullptr;
    for (auto& backend : backends_) {
      if (backend->name == target.backend) work.backend = backend.get();
    }
    if (work.backend == nullptr) {
      return absl::NotFoundError(absl::StrCat("route to unknown backend '", target.backend, "'"));
    }
  }
  return absl::OkStatus();
}

asio::awaitable<absl::Status> Gateway::RunIntercepted(Work& work, ResultSink& sink,
                                                      CallControl& control) {
  const HookChain& chain = work.policy->chain();
  if (chain.empty()) {
    absl::Status s = co_await Run(work, sink, control);
    if (work.call->stats != nullptr) {
      ResultInfo unobserved;  // Rows and bytes are counted by the hooks' sink.
      unobserved.status = s;
      work.call->stats->AddStatement(work.context, unobserved, work.statement.params);
    }
    co_return s;
  }
  const auto start = std::chrono::steady_clock::now();
  StatementContext& ctx = work.context;
  StatementPlan plan;
  const size_t ran = chain.ReadQuery(ctx, plan);
  verdicts_[static_cast<size_t>(plan.verdict)].fetch_add(1, std::memory_order_relaxed);
  ObservingSink observed(sink, plan.max_rows.value_or(std::numeric_limits<uint64_t>::max()),
                         plan.max_bytes.value_or(std::numeric_limits<uint64_t>::max()));
  ResultInfo result;
  switch (plan.verdict) {
    case StatementPlan::Verdict::kReject:
      result.status = plan.rejection;
      break;
    case StatementPlan::Verdict::kRespond:
      result.status = WriteSyntheticResult(plan.response, observed);
      break;
    case StatementPlan::Verdict::kPass:
      result.status = ApplyPlan(plan, work);
      if (result.status.ok()) {
        result.backend = work.backend != nullptr ? work.backend->name : Primary().name;
        ReplicaSelector::CallGuard outstanding;
        if (selector_ != nullptr) outstanding = selector_->Begin(work.selector_index);
        result.status = co_await Run(work, observed, control);
        // A replica that failed since its last health check: a read meant
        // for any replica goes to the primary, as it will once the check
        // notices, rather than failing the caller. A named backend is not
        // substituted.
        if (!result.status.ok() && selector_ != nullptr &&
            work.selector_index != selector_->primary_index() &&
            plan.route.kind != RouteTarget::Kind::kNamed &&
            (work.read_only || work.options->idempotent()) && IsTransient(result.status) &&
            !control.cancelled() && observed.Rewind()) {
          replica_fallbacks_.fetch_add(1, std::memory_order_relaxed);
          work.selector_index = selector_->primary_index();
          work.backend = selector_backends_[work.selector_index];
          result.backend = work.backend->name;
          outstanding = selector_->Begin(work.selector_index);
          result.status = co_await Run(work, observed, control);
        }
        if (result.status.ok() && !work.read_only && read_your_writes_->window().count() > 0) {
          read_your_writes_->RecordWrite(work.call->principal->name,
                                         std::chrono::steady_clock::now());
        }
      }
      break;
  }
  result.rows = observed.rows();
  result.bytes = observed.bytes();
  result.affected_rows = observed.affected_rows();
  result.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  absl::Status after = chain.ReadQueryResult(ran, ctx, plan, result);
  if (work.call->stats != nullptr) {
    work.call->stats->AddStatement(ctx, result, work.statement.params);
  }
  // A hook may still turn success into an error while nothing has been sent.
  if (result.status.ok() && !after.ok() && sink.Rewind()) co_return after;
  co_return result.status;
}

asio::awaitable<absl::Status> Gateway::Run(const Work& work, ResultSink& sink,
                                           CallControl& control) {
  const bool in_transaction = !work.transaction_id->empty() ||
                              (work.session != nullptr && work.session->pins_ != 0);
  const bool may_retry = !in_transaction && (work.read_only || work.options->idempotent());
  const uint32_t attempts = may_retry ? std::max<uint32_t>(1, config_.retry().max_attempts()) : 1;
  absl::Status status;
  for (uint32_t attempt = 1; attempt <= attempts; ++attempt) {
    bool retryable = false;
    status = co_await RunOnce(work, sink, control, &retryable);
    if (status.ok() || !retryable || control.cancelled() || attempt == attempts) break;
    if (!sink.Rewind()) break;
  }
  co_return status;
}

asio::awaitable<absl::Status> Gateway::RunOnce(const Work& work, ResultSink& sink,
                                               CallControl& control, bool* retryable) {
  if (work.session != nullptr) {
    co_return co_await RunOnceInSession(work, sink, control, retryable);
  }
  const CallInfo& call = *work.call;
  Backend& backend = work.backend != nullptr ? *work.backend : Primary();
  const std::chrono::milliseconds timeout =
      TimeoutFor(work);
  ExecutionReport report;

  if (!work.transaction_id->empty()) {
    TransactionRegistry& registry = *shards_[call.shard].transactions;
    absl::StatusOr<Transaction*> tx = registry.Use(*work.transaction_id, call.principal->name);
    if (!tx.ok()) co_return tx.status();
    const std::string& db = work.options->database();
    if (!db.empty() && db != (*tx)->connection->current_database()) {
      registry.Return(*tx);
      co_return absl::InvalidArgumentError(
          "a call inside a transaction cannot change the database; pass it to "
          "BeginTransaction");
    }
    absl::Status s = co_await backend.executor->Run(*(*tx)->connection, work.statement, sink,
                                                    control, timeout, &report);
    if (report.state_in_doubt) (*tx)->connection.Discard();
    registry.Return(*tx);
    co_return s;
  }

  ConnectionPool& pool = *backend.shards[call.shard];
  absl::StatusOr<PooledConnection> conn = co_await pool.Acquire(call.deadline);
  if (!conn.ok()) {
    absl::Status s = BackendUnavailable(backend.name, conn.status());
    *retryable = s.code() == absl::StatusCode::kUnavailable;
    co_return s;
  }
  const std::string& db =
      work.options->database().empty() ? backend.default_database : work.options->database();
  if (!db.empty() && (*conn)->current_database() != db) {
    absl::Status s = co_await (*conn)->SelectDatabase(db);
    if (!s.ok()) {
      *retryable = IsTransient(s);
      co_return s;
    }
  }
  absl::Status s =
      co_await backend.executor->Run(**conn, work.statement, sink, control, timeout, &report);
  if (report.state_in_doubt || !(*conn)->usable()) {
    conn->Discard();
  } else if (MayReleaseClean(**conn, work.kind, work.statement.sql)) {
    conn->ReleaseClean();
  } else {
    conn->Release();
  }
  if (!s.ok()) *retryable = !report.killed && IsTransient(s);
  co_return s;
}

asio::awaitable<absl::Status> Gateway::Query(const CallInfo& call,
                                             const v1::QueryRequest& request,
                                             ResultSink& sink, CallControl& control) {
  const std::shared_ptr<const Policy> policy = interceptor_->Current();
  if (absl::Status s = Admit(call, *policy); !s.ok()) co_return s;
  absl::StatusOr<Work> work = Prepare(call, *policy, request.sql(), request.params(),
                                      request.named_params(), request.options(),
                                      request.transaction_id());
  if (!work.ok()) co_return work.status();
  co_return co_await RunIntercepted(*work, sink, control);
}

asio::awaitable<absl::Status> Gateway::Execute(const CallInfo& call,
                                               const v1::ExecuteRequest& request,
                                               v1::ExecuteResponse* response,
                                               CallControl& control) {
  const std::shared_ptr<const Policy> policy = interceptor_->Current();
  if (absl::Status s = Admit(call, *policy); !s.ok()) co_return s;
  absl::StatusOr<Work> work = Prepare(call, *policy, request.sql(), request.params(),
                                      request.named_params(), request.options(),
                                      request.transaction_id());
  if (!work.ok()) co_return work.status();
  OutcomeSink sink(response->mutable_outcome());
  co_return co_await RunIntercepted(*work, sink, control);
}

asio::awaitable<absl::Status> Gateway::ExecuteBatch(const CallInfo& call,
                                                    const v1::ExecuteBatchRequest& request,
                                                    v1::ExecuteBatchResponse* response,
                                                    CallControl& control) {
  const bool by_sets = !request.sql().empty();
  if (by_sets == !request.statements().empty()) {
    co_return absl::InvalidArgumentError(
        "give either sql with parameter_sets, or statements (not both)");
  }
  const std::shared_ptr<const Policy> policy = interceptor_->Current();
  if (absl::Status s = Admit(call, *policy); !s.ok()) co_return s;
  // Validate and authorise everything before running anything; hooks see
  // each statement just before it runs.
  std::vector<Work> items;
  const google::protobuf::Map<std::string, v1::Value> no_named;
  if (by_sets) {
    if (request.parameter_sets().empty()) {
      co_return absl::InvalidArgumentError("parameter_sets is empty");
    }
    for (int i = 0; i < request.parameter_sets().size(); ++i) {
      const auto& set = request.parameter_sets(i);
      absl::StatusOr<Work> w = Prepare(call, *policy, request.sql(), set.params(),
                                       set.named_params(),
                                       request.options(), request.transaction_id());
      if (!w.ok()) {
        co_return absl::Status(w.status().code(),
                               absl::StrCat("parameter set ", i + 1, ": ", w.status().message()));
      }
      items.push_back(*std::move(w));
    }
  } else {
    for (int i = 0; i < request.statements().size(); ++i) {
      const auto& st = request.statements(i);
      absl::StatusOr<Work> w = Prepare(call, *policy, st.sql(), st.params(), st.named_params(),
                                       request.options(), request.transaction_id());
      if (!w.ok()) {
        co_return absl::Status(w.status().code(),
                               absl::StrCat("statement ", i + 1, ": ", w.status().message()));
      }
      items.push_back(*std::move(w));
    }
  }
  bool stopped = false;
  for (Work& item : items) {
    v1::BatchItemResult* result = response->add_results();
    if (stopped) {
      result->set_skipped(true);
      continue;
    }
    OutcomeSink sink(result->mutable_outcome());
    absl::Status s = co_await RunIntercepted(item, sink, control);
    if (s.ok()) continue;
    std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(s);
    if (!e.has_value() || control.cancelled()) {
      // Not a statement's own failure (connection lost, cancelled, ...):
      // the batch as a whole fails.
      co_return s;
    }
    v1::MySqlError* err = result->mutable_error();
    err->set_code(e->code);
    err->set_sql_state(e->sql_state);
    err->set_message(e->message);
    if (request.stop_on_error()) stopped = true;
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Gateway::BeginTransaction(
    const CallInfo& call, const v1::BeginTransactionRequest& request,
    v1::BeginTransactionResponse* response, CallControl& control) {
  Backend& backend = Primary();
  const std::shared_ptr<const Policy> policy = interceptor_->Current();
  if (absl::Status s = Admit(call, *policy); !s.ok()) co_return s;
  const std::string& db =
      request.database().empty() ? backend.default_database : request.database();
  const v1::Operation op = request.read_only() ? v1::OPERATION_READ : v1::OPERATION_WRITE;
  if (absl::Status s = Authorize(*call.principal, op, db); !s.ok()) co_return s;
  TransactionRegistry& registry = *shards_[call.shard].transactions;
  if (absl::Status s = registry.CheckCapacity(); !s.ok()) co_return s;
  // Counted per principal from here until the registry lets it go (or this
  // call fails before handing it over).
  PrincipalLimits& limits = policy->limits();
  if (absl::Status s = limits.TryOpenTransaction(call.principal->name); !s.ok()) co_return s;
  bool handed_over = false;
  absl::Cleanup uncount = [&] {
    if (!handed_over) limits.CloseTransaction(call.principal->name);
  };

  absl::StatusOr<PooledConnection> conn =
      co_await backend.shards[call.shard]->Acquire(call.deadline);
  if (!conn.ok()) co_return BackendUnavailable(backend.name, conn.status());
  if (!db.empty() && (*conn)->current_database() != db) {
    absl::Status s = co_await (*conn)->SelectDatabase(db);
    if (!s.ok()) co_return s;
  }
  std::string sql;
  switch (request.isolation()) {
    case v1::ISOLATION_LEVEL_READ_UNCOMMITTED:
      sql = "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED";
      break;
    case v1::ISOLATION_LEVEL_READ_COMMITTED:
      sql = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
      break;
    case v1::ISOLATION_LEVEL_REPEATABLE_READ:
      sql = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
      break;
    case v1::ISOLATION_LEVEL_SERIALIZABLE:
      sql = "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
      break;
    default:
      break;
  }
  ExecutionReport report;
  if (!sql.empty()) {
    absl::Status s = co_await backend.executor->RunSimple(**conn, sql, control, &report);
    if (!s.ok()) {
      if (report.state_in_doubt) conn->Discard();
      co_return s;
    }
  }
  absl::Status s = co_await backend.executor->RunSimple(
      **conn, request.read_only() ? "START TRANSACTION READ ONLY" : "START TRANSACTION",
      control, &report);
  if (!s.ok()) {
    if (report.state_in_doubt) conn->Discard();
    co_return s;
  }
  const auto idle = request.has_idle_timeout() ? ToMillis(request.idle_timeout())
                                               : std::chrono::milliseconds(0);
  response->set_transaction_id(registry.Add(call.principal->name, *std::move(conn), idle));
  handed_over = true;
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Gateway::EndTransaction(const CallInfo& call,
                                                      const std::string& transaction_id,
                                                      bool commit, CallControl& control) {
  if (transaction_id.empty()) co_return absl::InvalidArgumentError("transaction_id is empty");
  TransactionRegistry& registry = *shards_[call.shard].transactions;
  absl::StatusOr<Transaction*> tx = registry.Use(transaction_id, call.principal->name);
  if (!tx.ok()) co_return tx.status();
  PooledConnection conn = registry.Remove(*tx);
  ExecutionReport report;
  absl::Status s = co_await Primary().executor->RunSimple(*conn, commit ? "COMMIT" : "ROLLBACK",
                                                          control, &report);
  if (report.state_in_doubt || !conn->usable()) {
    conn.Discard();
  } else {
    conn.Release();
  }
  co_return s;
}

asio::awaitable<void> Gateway::ShutdownShard(size_t shard) {
  if (shard == 0) {
    if (health_ != nullptr) health_->Stop();
    stopping_ = true;
    quota_timer_.cancel();
  }
  co_await shards_[shard].transactions->RollbackAll();
  for (auto& backend : backends_) backend->shards[shard]->Shutdown();
}

std::vector<std::pair<std::string, PoolStats>> Gateway::PoolStatistics() const {
  std::vector<std::pair<std::string, PoolStats>> out;
  for (const auto& backend : backends_) {
    PoolStats sum{};
    for (const auto& pool : backend->shards) {
      PoolStats s = pool->stats();
      sum.open += s.open;
      sum.idle += s.idle;
      sum.in_use += s.in_use;
      sum.waiting += s.waiting;
      sum.connects += s.connects;
      sum.connect_failures += s.connect_failures;
      sum.acquired += s.acquired;
      sum.wait_timeouts += s.wait_timeouts;
      sum.rejected_full += s.rejected_full;
      sum.waits += s.waits;
      sum.wait_seconds_sum += s.wait_seconds_sum;
    }
    out.emplace_back(backend->name, sum);
  }
  return out;
}

}  // namespace mysqlgw
