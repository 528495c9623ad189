#include "tls/rfc6091/refusal_engine.h"

#include <utility>

#include "tls/rfc6091/record_layer.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

class RefusalEngine final : public Engine {
 public:
  explicit RefusalEngine(Error error) : failure_(std::move(error)) {}

  Status start() override {
    if (started_) {
      return make_error(Errc::invalid_state, "the engine was already started");
    }
    started_ = true;
    // The refusal answers a ClientHello: the server has not chosen a version
    // yet, so the record says TLS 1.2, the version pgptls speaks.
    records_.lock_version();
    (void)records_.write_alert(AlertLevel::fatal, alert_for(failure_->code));
    return {};
  }
  Status feed(ByteView /*bytes*/) override { return *failure_; }
  [[nodiscard]] ByteView pending_output() const override { return records_.pending_output(); }
  void consume_output(std::size_t count) override { records_.consume_output(count); }
  Result<std::size_t> write_app(ByteView /*data*/) override { return *failure_; }
  Result<std::size_t> read_app(std::span<std::uint8_t> /*out*/) override { return *failure_; }
  Status close() override { return *failure_; }
  Status settle_peer(Result<VerifiedPeer> /*verdict*/) override { return *failure_; }
  [[nodiscard]] EngineStatus status() const override {
    return records_.pending_output().empty() ? EngineStatus::failed : EngineStatus::has_output;
  }
  [[nodiscard]] const std::optional<Error>& failure() const override { return failure_; }
  [[nodiscard]] const SessionInfo& session() const override { return session_; }
  [[nodiscard]] std::string_view state_name() const override { return "RefusedClientHello"; }

 private:
  std::optional<Error> failure_;
  RecordLayer records_;
  SessionInfo session_;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Engine> make_refusal_engine(Error error) {
  return std::make_unique<RefusalEngine>(std::move(error));
}

}  // namespace pgptls::tls
