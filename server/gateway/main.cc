// mysqlgw: the gateway binary. Wires configuration, event loops, pools and
// the gRPC server together; everything else lives in libraries.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <atomic>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/co_spawn.hpp"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/auth/authenticator.h"
#include "server/binlog/change_stream_service.h"
#include "server/binlog/stream_registry.h"
#include "server/config/build_config.h"
#include "server/gateway/access_logging.h"
#include "server/gateway/config_reloader.h"
#include "server/gateway/event_loops.h"
#include "server/gateway/gateway.h"
#include "server/gateway/gateway_metrics.h"
#include "server/gateway/grpc_service.h"
#include "server/gateway/status_collector.h"
#include "server/gateway/interception_metrics.h"
#include "server/http/admin_server.h"
#include "server/http/statusz.h"
#include "server/listener/listener.h"
#include "server/listener/listener_metrics.h"
#include "server/log/log.h"
#include "server/metrics/process_metrics.h"
#include "server/metrics/registry.h"

ABSL_FLAG(std::string, config, "", "YAML or JSON configuration file");
ABSL_FLAG(std::string, listen, "", "gRPC listen address host:port (overrides the config)");
ABSL_FLAG(std::string, backend_dsn, "",
          "backend DSN mysql://user@host:port/db (no password: see --backend_password_*)");
ABSL_FLAG(std::string, backend_password_file, "", "file holding the backend password");
ABSL_FLAG(std::string, backend_password_env, "",
          "environment variable holding the backend password");
ABSL_FLAG(bool, allow_anonymous, false,
          "serve calls without a token as an all-powerful 'anonymous' principal "
          "(local development only)");
ABSL_FLAG(std::string, admin_address, "",
          "admin HTTP address host:port for /metrics, /healthz, /readyz, /statusz "
          "(overrides the config)");
ABSL_FLAG(std::string, admin_port_file, "", "write the bound admin HTTP port here");
ABSL_FLAG(int, config_poll_ms, 1000,
          "how often to check the configuration file for changes (hot reload)");
ABSL_FLAG(std::string, port_file, "",
          "write the bound gRPC port here once serving (for tests and scripts)");
ABSL_FLAG(std::string, mysql_port_file, "",
          "write the bound MySQL-protocol listener port here once serving");

namespace {

constexpr char kVersion[] = "0.1.0";

// The gateway's log (format and level from observability).
void Log(absl::string_view level, absl::string_view message) {
  mysqlgw::Log(level == "ERROR"     ? mysqlgw::LogLevel::kError
               : level == "WARNING" ? mysqlgw::LogLevel::kWarning
                                    : mysqlgw::LogLevel::kInfo,
               "main", message);
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(
    const mysqlgw::v1::TlsServerConfig& tls, std::string* error) {
  if (tls.cert_file().empty()) return grpc::InsecureServerCredentials();
  auto read = [error](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) *error = absl::StrCat("cannot read ", path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({read(tls.key_file()), read(tls.cert_file())});
  if (!tls.client_ca_file().empty()) {
    options.pem_root_certs = read(tls.client_ca_file());
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// SIGHUP reloads the configuration; SIGTERM and SIGINT end the wait.
int WaitForShutdownSignal(mysqlgw::ConfigReloader& reloader) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  while (true) {
    int signal = 0;
    sigwait(&set, &signal);
    if (signal != SIGHUP) return signal;
    (void)reloader.ReloadNow("SIGHUP");
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "mysqlgw --config=FILE | --backend_dsn=DSN [--backend_password_env=VAR] ...");
  absl::ParseCommandLine(argc, argv);
  const absl::Time started = absl::Now();  // Uptime on /statusz.
  // Debian builds Abseil with its debug checks, so every absl::Mutex (gRPC
  // takes several per call) would also update a process-wide lock graph
  // under one global lock: measurable CPU and contention between threads,
  // for a check meant for development.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Block the shutdown signals in every thread; the main thread waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  mysqlgw::FlagOverrides overrides;
  overrides.listen_address = absl::GetFlag(FLAGS_listen);
  overrides.backend_dsn = absl::GetFlag(FLAGS_backend_dsn);
  overrides.backend_password_file = absl::GetFlag(FLAGS_backend_password_file);
  overrides.backend_password_env = absl::GetFlag(FLAGS_backend_password_env);
  overrides.allow_anonymous = absl::GetFlag(FLAGS_allow_anonymous);
  absl::StatusOr<mysqlgw::v1::GatewayConfig> config =
      mysqlgw::BuildConfig(absl::GetFlag(FLAGS_config), overrides);
  if (!config.ok()) {
    Log("ERROR", absl::StrCat("configuration: ", config.status().message()));
    return 2;
  }
  mysqlgw::ConfigureLogFromConfig(config->observability());

  // Open change streams, for /statusz and the change stream metrics.
  // Declared before the event loops: a stream still on a loop at exit
  // unregisters itself when the loops are destroyed.
  mysqlgw::StreamRegistry streams;
  mysqlgw::EventLoops loops(config->io_threads());
  absl::StatusOr<std::unique_ptr<mysqlgw::Gateway>> gateway =
      mysqlgw::Gateway::Create(*config, loops);
  if (!gateway.ok()) {
    Log("ERROR", absl::StrCat("startup: ", gateway.status().message()));
    return 2;
  }
  loops.Start();
  (*gateway)->Start();

  mysqlgw::metrics::Registry registry;
  if (absl::Status s = mysqlgw::metrics::RegisterProcessMetrics(registry); !s.ok()) {
    Log("ERROR", absl::StrCat("metrics: ", s.message()));
    return 2;
  }
  if (absl::Status s = mysqlgw::metrics::RegisterBuildInfo(registry, kVersion); !s.ok()) {
    Log("ERROR", absl::StrCat("metrics: ", s.message()));
    return 2;
  }
  absl::StatusOr<std::unique_ptr<mysqlgw::GatewayMetrics>> metrics =
      mysqlgw::GatewayMetrics::Create(registry, **gateway);
  if (!metrics.ok()) {
    Log("ERROR", absl::StrCat("metrics: ", metrics.status().message()));
    return 2;
  }

  if (absl::Status s = mysqlgw::RegisterInterceptionMetrics(registry, **gateway); !s.ok()) {
    Log("ERROR", absl::StrCat("metrics: ", s.message()));
    return 2;
  }

  mysqlgw::Authenticator authenticator(config->auth());
  // observability.metrics_enabled: false leaves calls unrecorded (the
  // families stay, at zero).
  mysqlgw::GatewayMetrics* call_metrics =
      mysqlgw::MetricsEnabled(config->observability()) ? metrics->get() : nullptr;
  if (absl::Status s = mysqlgw::RegisterAccessLogMetrics(registry, (*gateway)->access_log());
      !s.ok()) {
    Log("ERROR", absl::StrCat("metrics: ", s.message()));
    return 2;
  }
  mysqlgw::GatewayService service(**gateway, authenticator, call_metrics);
  mysqlgw::ChangeStreamLimits stream_limits;
  auto millis = [](const google::protobuf::Duration& d) {
    return std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
  };
  stream_limits.reconnect_timeout = millis(config->binlog().reconnect_timeout());
  stream_limits.reconnect_initial_backoff =
      std::max(millis(config->binlog().reconnect_initial_backoff()), std::chrono::milliseconds(1));
  if (absl::Status s = mysqlgw::RegisterStreamMetrics(registry, streams); !s.ok()) {
    Log("ERROR", absl::StrCat("metrics: ", s.message()));
    return 2;
  }
  mysqlgw::ChangeStreamService change_stream(loops, authenticator,
                                             (*gateway)->PrimaryConnectOptions(), call_metrics,
                                             stream_limits, &streams);
  change_stream.set_access_log((*gateway)->access_log());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::string tls_error;
  auto credentials = ServerCredentials(config->listen().tls(), &tls_error);
  if (!tls_error.empty()) {
    Log("ERROR", tls_error);
    return 2;
  }
  int port = 0;
  builder.AddListeningPort(config->listen().address(), credentials, &port);
  builder.RegisterService(&service);
  builder.RegisterService(&change_stream);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config->listen().max_request_bytes()));
  builder.SetMaxSendMessageSize(-1);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    Log("ERROR", absl::StrCat("cannot listen on ", config->listen().address()));
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus(true);

  // The MySQL-protocol listener, when the config gives it an address.
  std::unique_ptr<mysqlgw::MySqlListener> listener;
  if (!config->mysql_listener().address().empty()) {
    absl::StatusOr<std::unique_ptr<mysqlgw::MySqlListener>> created =
        mysqlgw::MySqlListener::Create(*config, **gateway, {kVersion});
    if (!created.ok()) {
      Log("ERROR", absl::StrCat("MySQL listener: ", created.status().message()));
      return 2;
    }
    listener = *std::move(created);
    if (absl::Status s = listener->Start(); !s.ok()) {
      Log("ERROR", std::string(s.message()));
      return 1;
    }
    if (absl::Status s = mysqlgw::RegisterListenerMetrics(registry, *listener); !s.ok()) {
      Log("ERROR", absl::StrCat("metrics: ", s.message()));
      return 2;
    }
    Log("INFO", absl::StrCat("serving MySQL protocol on ", config->mysql_listener().address(),
                             " (port ", listener->port(), ") for ", listener->accounts(),
                             " account(s)"));
    if (const std::string path = absl::GetFlag(FLAGS_mysql_port_file); !path.empty()) {
      std::ofstream(path) << listener->port() << "\n";
    }
  }

  // Built before the admin server, which shows its version on /statusz.
  mysqlgw::ConfigReloader reloader(absl::GetFlag(FLAGS_config), overrides, *config,
                                   (*gateway)->interceptor(), &authenticator);

  // The admin server runs on its own thread: a scrape never delays a call.
  std::atomic<bool> ready{true};
  boost::asio::io_context admin_io(1);
  std::unique_ptr<mysqlgw::http::AdminServer> admin;
  std::thread admin_thread;
  std::string admin_address = absl::GetFlag(FLAGS_admin_address);
  if (admin_address.empty()) admin_address = config->admin_address();
  if (!admin_address.empty()) {
    mysqlgw::http::AdminServerOptions admin_options;
    admin_options.listen_address = admin_address;
    mysqlgw::http::AdminEndpoints endpoints{&registry, [&ready] { return ready.load(); }};
    mysqlgw::Gateway* gw = gateway->get();
    // What learn mode saw, as configuration to paste under interception.
    endpoints.pages["/allowlist"] = [gw] {
      std::shared_ptr<const mysqlgw::Policy> policy = gw->interceptor().Current();
      const mysqlgw::AllowlistHook* allowlist = policy->allowlist();
      if (allowlist == nullptr) return std::string("# the allowlist is off\n");
      return allowlist->LearnedAsYaml();
    };
    // The 50 statement digests with the most total time.
    endpoints.pages["/digests"] = [gw] { return gw->digest_stats().RenderTop(50); };
    // Build, uptime, configuration version, backends, pools, open change
    // streams, top digests: HTML, or JSON with ?format=json.
    endpoints.typed_pages["/statusz"] = [sources = mysqlgw::StatusSources{
                                             gw, &*config, &reloader, &streams, kVersion, "",
                                             started}](const mysqlgw::http::PageRequest& r) {
      return mysqlgw::http::ServeStatusz(r, mysqlgw::CollectStatus(sources));
    };
    endpoints.pages["/backends"] = [gw] {
      std::string out;
      for (const auto& [name, health] : gw->BackendHealthSnapshot()) {
        absl::StrAppend(&out, name, " ", mysqlgw::BackendStateName(health.state),
                        health.is_replica ? " replica" : " primary", " read_only=",
                        health.read_only.has_value() ? (*health.read_only ? "1" : "0") : "?",
                        " lag=", health.lag.has_value() ? absl::StrCat(health.lag->count(), "s")
                                                        : std::string("?"));
        if (!health.replication_problem.empty()) {
          absl::StrAppend(&out, " problem=\"", health.replication_problem, "\"");
        }
        if (!health.last_error.empty()) absl::StrAppend(&out, " error=\"", health.last_error, "\"");
        out += "\n";
      }
      if (out.empty()) out = "# no replicas configured: every statement goes to the primary\n";
      return out;
    };
    admin = std::make_unique<mysqlgw::http::AdminServer>(admin_io, std::move(endpoints),
                                                         admin_options);
    if (absl::Status s = admin->Start(); !s.ok()) {
      Log("ERROR", absl::StrCat("admin server on ", admin_address, ": ", s.message()));
      return 1;
    }
    admin_thread = std::thread([&admin_io] { admin_io.run(); });
    Log("INFO", absl::StrCat("admin HTTP (/metrics, /healthz, /readyz, /statusz) on port ",
                             admin->port()));
    if (const std::string path = absl::GetFlag(FLAGS_admin_port_file); !path.empty()) {
      std::ofstream(path) << admin->port() << "\n";
    }
  }
  Log("INFO", absl::StrCat("serving gRPC on ", config->listen().address(), " (port ", port,
                           "), ", loops.size(), " event loop(s), ",
                           config->backends_size(), " backend(s)"));
  if (const std::string path = absl::GetFlag(FLAGS_port_file); !path.empty()) {
    std::ofstream(path) << port << "\n";
  }

  reloader.StartWatching(std::chrono::milliseconds(absl::GetFlag(FLAGS_config_poll_ms)));
  const int signal = WaitForShutdownSignal(reloader);
  reloader.Stop();
  const auto grace = std::chrono::seconds(config->shutdown_grace_period().seconds()) +
                     std::chrono::nanoseconds(config->shutdown_grace_period().nanos());
  Log("INFO", absl::StrCat("signal ", signal, ": draining for up to ",
                           std::chrono::duration_cast<std::chrono::milliseconds>(grace).count(),
                           " ms"));
  server->GetHealthCheckService()->SetServingStatus(false);
  ready = false;
  // Stops accepting; in-flight calls get until the deadline, then are
  // cancelled (which kills their statements). MySQL clients likewise, at
  // the same time; their sessions give their connections back before the
  // shards shut.
  std::future<void> listener_stopped;
  if (listener != nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    listener_stopped =
        std::async(std::launch::async, [&listener, deadline] { listener->Stop(deadline); });
  }
  // New gRPC calls are refused (UNAVAILABLE) while those in flight finish;
  // then the server shuts at once, cancelling what is left (change streams,
  // which are open-ended and resumable). Shutdown(deadline) alone would also
  // wait for idle client channels to go away, which clients may take
  // seconds to do after the GOAWAY.
  service.BeginDrain();
  const auto drain_deadline = std::chrono::steady_clock::now() + grace;
  while (service.in_flight() > 0 && std::chrono::steady_clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  server->Shutdown(std::chrono::system_clock::now());
  if (listener_stopped.valid()) listener_stopped.wait();
  for (size_t i = 0; i < loops.size(); ++i) {
    std::promise<void> done;
    boost::asio::co_spawn(loops.loop(i), (*gateway)->ShutdownShard(i),
                          [&done](std::exception_ptr) { done.set_value(); });
    done.get_future().wait_for(std::chrono::seconds(10));
  }
  if (admin != nullptr) {
    admin->Stop();
    admin_thread.join();
  }
  loops.Stop();
  Log("INFO", "stopped");
  return 0;
}
