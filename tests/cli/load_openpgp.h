// load_openpgp.h: the OpenPGP side of the `pgptls serve` load test and
// benchmark, over the gpg-made keys of tests/cli/openpgp_world.h (made once
// and cached): the authority "ca" certified xmpp:a.example (the server) and
// xmpp:b.example (the clients); each key is an Ed25519 [SC] primary with an
// Ed25519 [A] subkey that signs in the handshake.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tls/engine/credentials.h"
#include "transport/engine_factory.h"

namespace pgptls::test {

// openpgp_serve_args: the serve options for a.example: its certificate and
// secret keys, and the authority it trusts for its clients.
std::vector<std::string> openpgp_serve_args();

// openpgp_authority_fingerprint: the authority's fingerprint (uppercase
// hex), as the server's "handshake ok" line names it.
std::string openpgp_authority_fingerprint();

// openpgp_client_factory: client engines for xmpp:b.example: pgptls's
// RFC 6091 engine (TLS 1.2) offering only OpenPGP, sending b's certificate
// and signing with its [A] subkey, accepting a.example's key only. Throws
// std::runtime_error when the keys cannot be loaded.
transport::EngineFactory openpgp_client_factory();

// openpgp_client_factory: the same clients, each with the credential
// `credential` returns when its engine is made (a benchmark of first
// contacts gives every connection a new certificate).
transport::EngineFactory openpgp_client_factory(std::function<tls::OpenPgpCredential()> credential);

}  // namespace pgptls::test
