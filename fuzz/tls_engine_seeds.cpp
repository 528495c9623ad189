// tls_engine_seeds.cpp: writes the seeds of the engine fuzz targets: a
// complete handshake, application data and close between the fuzz client
// and the fuzz server, each side's received flights as one seed.
// Usage: fuzz_tls_engine_seeds CLIENT_SEED_DIR SERVER_SEED_DIR
#include <filesystem>
#include <fstream>
#include <iostream>

#include "fuzz/tls_engine_fuzz.h"

namespace {

using pgptls::Bytes;

void write(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_tls_engine_seeds CLIENT_SEED_DIR SERVER_SEED_DIR\n";
    return 2;
  }
  using pgptls::tls::Role;
  auto client = pgptls::tls::make_rfc6091_engine(pgptls::fuzz::engine_config(Role::client));
  auto server = pgptls::tls::make_rfc6091_engine(pgptls::fuzz::engine_config(Role::server));
  if (!client.ok() || !server.ok() || !(*client)->start().ok()) {
    return 1;
  }
  std::vector<Bytes> to_client;
  std::vector<Bytes> to_server;
  const auto move = [](pgptls::tls::Engine& from, pgptls::tls::Engine& to,
                       std::vector<Bytes>& log) {
    const auto pending = from.pending_output();
    if (pending.empty()) {
      return false;
    }
    Bytes bytes(pending.begin(), pending.end());
    from.consume_output(bytes.size());
    (void)to.feed(bytes);
    log.push_back(std::move(bytes));
    return true;
  };
  for (int round = 0; round < 16; ++round) {
    const bool a = move(**client, **server, to_server);
    const bool b = move(**server, **client, to_client);
    if (!a && !b) {
      break;
    }
  }
  if ((*client)->status() != pgptls::tls::EngineStatus::established) {
    std::cerr << "handshake failed\n";
    return 1;
  }
  (void)(*client)->write_app(pgptls::as_bytes_view("hello\n"));
  (void)(*server)->write_app(pgptls::as_bytes_view("hello\n"));
  (void)(*client)->close();
  for (int round = 0; round < 4; ++round) {
    move(**client, **server, to_server);
    move(**server, **client, to_client);
  }
  // The seeds must replay: a fresh engine fed the recorded chunks reaches
  // the end of the connection, or the fixed RNG is not what we think.
  for (const Role role : {Role::client, Role::server}) {
    auto fresh = pgptls::tls::make_rfc6091_engine(pgptls::fuzz::engine_config(role));
    if (!fresh.ok() || !(*fresh)->start().ok()) {
      return 1;
    }
    for (const Bytes& chunk : role == Role::client ? to_client : to_server) {
      if (!(*fresh)->feed(chunk).ok()) {
        std::cerr << "replay failed: " << (*fresh)->failure()->message() << "\n";
        return 1;
      }
    }
    if ((*fresh)->status() == pgptls::tls::EngineStatus::failed ||
        (*fresh)->state_name() != "Traffic") {
      std::cerr << "replay did not finish the handshake\n";
      return 1;
    }
  }
  write(std::filesystem::path(argv[1]) / "handshake-data-close",
        pgptls::fuzz::join_chunks(to_client));
  write(std::filesystem::path(argv[2]) / "handshake-data-close",
        pgptls::fuzz::join_chunks(to_server));
  std::cout << "wrote " << to_client.size() << " and " << to_server.size() << " chunks\n";
  return 0;
}
