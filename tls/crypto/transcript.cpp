#include "tls/crypto/transcript.h"

#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

gnutls_digest_algorithm_t digest_for(HashAlgorithm hash) {
  return hash == HashAlgorithm::sha384 ? GNUTLS_DIG_SHA384 : GNUTLS_DIG_SHA256;
}

}  // namespace

Status Transcript::append(ByteView handshake_messages) {
  if (!released_) {
    messages_.insert(messages_.end(), handshake_messages.begin(), handshake_messages.end());
  } else if (!running_) {
    return make_error(Errc::invalid_state,
                      "transcript: messages released before a hash was chosen");
  }
  if (running_ &&
      gnutls_hash(running_.get(), handshake_messages.data(), handshake_messages.size()) != 0) {
    return make_error(Errc::internal_error, "transcript hash");
  }
  return {};
}

Status Transcript::select_hash(HashAlgorithm hash) {
  if (hash_) {
    return make_error(Errc::invalid_state, "transcript hash chosen twice");
  }
  gnutls_hash_hd_t raw = nullptr;
  if (gnutls_hash_init(&raw, digest_for(hash)) != 0) {
    return make_error(Errc::internal_error, "transcript hash setup");
  }
  HashHandle handle(raw);
  if (gnutls_hash(handle.get(), messages_.data(), messages_.size()) != 0) {
    return make_error(Errc::internal_error, "transcript hash");
  }
  running_ = std::move(handle);
  hash_ = hash;
  return {};
}

Result<Bytes> Transcript::current_hash() const {
  if (!running_) {
    return make_error(Errc::invalid_state, "transcript hash read before the cipher suite is known");
  }
  // gnutls_hash_copy snapshots the running state; finishing the copy leaves
  // the original free to take more messages.
  HashHandle copy(gnutls_hash_copy(running_.get()));
  if (!copy) {
    return make_error(Errc::internal_error, "transcript hash copy");
  }
  Bytes digest(hash_length(*hash_));
  gnutls_hash_output(copy.get(), digest.data());
  return digest;
}

void Transcript::release_messages() {
  messages_.clear();
  messages_.shrink_to_fit();
  released_ = true;
}

}  // namespace pgptls::tls
