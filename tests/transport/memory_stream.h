// memory_stream.h: an in-memory, connected pair of Asio byte streams for
// testing transport::Stream without sockets. Each direction is a pipe; a
// write appends to the peer's inbound bytes and completes at once; a read
// completes when bytes arrive, with eof after the peer's close(), or with
// operation_aborted when cancelled (cancel() or a cancellation slot).
// max_read_chunk limits how much one read returns, to split TLS records
// across reads.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace pgptls::test {

namespace detail {
// Pipe: one direction of the pair.
struct Pipe {
  std::vector<std::uint8_t> bytes;
  std::size_t read_offset = 0;
  bool writer_closed = false;
  std::size_t max_read_chunk = 0;  // 0: no limit
  std::optional<boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>>
      reader;
  boost::asio::mutable_buffer reader_buffer;
  std::uint64_t total_written = 0;
};
}  // namespace detail

class MemoryStream {
 public:
  using executor_type = boost::asio::any_io_executor;

  // make_pair: two connected endpoints on one executor.
  static std::pair<MemoryStream, MemoryStream> make_pair(executor_type executor);

  MemoryStream(MemoryStream&&) noexcept = default;
  MemoryStream& operator=(MemoryStream&&) noexcept = default;
  ~MemoryStream();

  [[nodiscard]] executor_type get_executor() const { return executor_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    boost::asio::mutable_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      if (boost::asio::mutable_buffer(*it).size() > 0) {
        first = *it;
        break;
      }
    }
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, first](auto handler) {
          start_read(
              first,
              boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>(
                  std::move(handler)));
        },
        token);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    const std::size_t written = append(buffers);
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, written](auto handler) {
          finish_write(
              boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>(
                  std::move(handler)),
              written);
        },
        token);
  }

  // Blocking forms: a read can only succeed when bytes are already there.
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& error) {
    return read_now(boost::asio::mutable_buffer(*boost::asio::buffer_sequence_begin(buffers)),
                    error);
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& error) {
    error = {};
    return append(buffers);
  }

  // close: the peer reads eof after the bytes already written; our own
  // pending read completes with operation_aborted.
  void close();
  // cancel: a pending read completes with operation_aborted.
  void cancel();
  // set_max_read_chunk: at most this many bytes per read on this end.
  void set_max_read_chunk(std::size_t bytes);
  // bytes_written: the total this end has written (what the peer received).
  [[nodiscard]] std::uint64_t bytes_written() const;
  // inject: puts bytes into this end's inbound pipe as if the peer wrote
  // them (truncation and tampering tests).
  void inject(const std::vector<std::uint8_t>& bytes);
  // corrupt_inbound: flips a bit of the last unread inbound byte (a record's
  // authentication tag), as an attacker on the path would; false when
  // nothing is waiting.
  bool corrupt_inbound();

 private:
  MemoryStream(executor_type executor, std::shared_ptr<detail::Pipe> in,
               std::shared_ptr<detail::Pipe> out);

  template <class ConstBuffers>
  std::size_t append(const ConstBuffers& buffers) {
    std::size_t total = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::const_buffer buffer(*it);
      append_bytes(static_cast<const std::uint8_t*>(buffer.data()), buffer.size());
      total += buffer.size();
    }
    return total;
  }
  void append_bytes(const std::uint8_t* data, std::size_t size);
  std::size_t read_now(boost::asio::mutable_buffer buffer, boost::system::error_code& error);
  void start_read(
      boost::asio::mutable_buffer buffer,
      boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)> handler);
  void finish_write(
      boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)> handler,
      std::size_t written);
  static void serve_reader(const std::shared_ptr<detail::Pipe>& pipe, executor_type executor);

  executor_type executor_;
  std::shared_ptr<detail::Pipe> in_;
  std::shared_ptr<detail::Pipe> out_;
};

}  // namespace pgptls::test
