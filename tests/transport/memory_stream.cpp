#include "memory_stream.h"

#include <algorithm>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <cstring>

namespace pgptls::test {

namespace {

using Handler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

// complete: delivers a result through the executor. clear_slot is false when
// called from the cancellation handler itself, which must not destroy itself.
void complete(boost::asio::any_io_executor executor, Handler handler,
              boost::system::error_code error, std::size_t bytes, bool clear_slot = true) {
  if (clear_slot) {
    boost::asio::get_associated_cancellation_slot(handler).clear();
  }
  boost::asio::post(executor, boost::asio::append(std::move(handler), error, bytes));
}

}  // namespace

MemoryStream::MemoryStream(executor_type executor, std::shared_ptr<detail::Pipe> in,
                           std::shared_ptr<detail::Pipe> out)
    : executor_(std::move(executor)), in_(std::move(in)), out_(std::move(out)) {}

std::pair<MemoryStream, MemoryStream> MemoryStream::make_pair(executor_type executor) {
  auto a_to_b = std::make_shared<detail::Pipe>();
  auto b_to_a = std::make_shared<detail::Pipe>();
  return {MemoryStream(executor, b_to_a, a_to_b), MemoryStream(executor, a_to_b, b_to_a)};
}

MemoryStream::~MemoryStream() {
  if (in_) {
    close();
  }
}

std::size_t MemoryStream::read_now(boost::asio::mutable_buffer buffer,
                                   boost::system::error_code& error) {
  detail::Pipe& pipe = *in_;
  const std::size_t available = pipe.bytes.size() - pipe.read_offset;
  if (available == 0) {
    if (pipe.writer_closed) {
      error = boost::asio::error::eof;
    } else {
      error = boost::asio::error::would_block;
    }
    return 0;
  }
  std::size_t count = std::min(available, buffer.size());
  if (pipe.max_read_chunk > 0) {
    count = std::min(count, pipe.max_read_chunk);
  }
  std::memcpy(buffer.data(), pipe.bytes.data() + pipe.read_offset, count);
  pipe.read_offset += count;
  if (pipe.read_offset == pipe.bytes.size()) {
    pipe.bytes.clear();
    pipe.read_offset = 0;
  }
  error = {};
  return count;
}

void MemoryStream::serve_reader(const std::shared_ptr<detail::Pipe>& pipe, executor_type executor) {
  if (!pipe->reader) {
    return;
  }
  const std::size_t available = pipe->bytes.size() - pipe->read_offset;
  if (available == 0 && !pipe->writer_closed) {
    return;
  }
  Handler handler = std::move(*pipe->reader);
  pipe->reader.reset();
  if (available == 0) {
    complete(executor, std::move(handler), boost::asio::error::eof, 0);
    return;
  }
  std::size_t count = std::min(available, pipe->reader_buffer.size());
  if (pipe->max_read_chunk > 0) {
    count = std::min(count, pipe->max_read_chunk);
  }
  std::memcpy(pipe->reader_buffer.data(), pipe->bytes.data() + pipe->read_offset, count);
  pipe->read_offset += count;
  if (pipe->read_offset == pipe->bytes.size()) {
    pipe->bytes.clear();
    pipe->read_offset = 0;
  }
  complete(executor, std::move(handler), {}, count);
}

void MemoryStream::start_read(boost::asio::mutable_buffer buffer, Handler handler) {
  if (in_->reader) {
    complete(executor_, std::move(handler), boost::asio::error::in_progress, 0);
    return;
  }
  auto slot = boost::asio::get_associated_cancellation_slot(handler);
  if (slot.is_connected()) {
    std::weak_ptr<detail::Pipe> weak = in_;
    executor_type executor = executor_;
    slot.assign([weak, executor](boost::asio::cancellation_type) {
      if (auto pipe = weak.lock(); pipe && pipe->reader) {
        Handler pending = std::move(*pipe->reader);
        pipe->reader.reset();
        complete(executor, std::move(pending), boost::asio::error::operation_aborted, 0, false);
      }
    });
  }
  in_->reader = std::move(handler);
  in_->reader_buffer = buffer;
  serve_reader(in_, executor_);
}

void MemoryStream::finish_write(Handler handler, std::size_t written) {
  if (out_->writer_closed && written > 0) {
    complete(executor_, std::move(handler), boost::asio::error::broken_pipe, 0);
    return;
  }
  complete(executor_, std::move(handler), {}, written);
}

void MemoryStream::append_bytes(const std::uint8_t* data, std::size_t size) {
  out_->bytes.insert(out_->bytes.end(), data, data + size);
  out_->total_written += size;
  serve_reader(out_, executor_);
}

void MemoryStream::inject(const std::vector<std::uint8_t>& bytes) {
  in_->bytes.insert(in_->bytes.end(), bytes.begin(), bytes.end());
  serve_reader(in_, executor_);
}

bool MemoryStream::corrupt_inbound() {
  if (in_->bytes.size() == in_->read_offset) {
    return false;
  }
  in_->bytes.back() ^= 0x01U;
  return true;
}

void MemoryStream::close() {
  out_->writer_closed = true;
  serve_reader(out_, executor_);
  cancel();
}

void MemoryStream::cancel() {
  if (in_->reader) {
    Handler pending = std::move(*in_->reader);
    in_->reader.reset();
    complete(executor_, std::move(pending), boost::asio::error::operation_aborted, 0);
  }
}

void MemoryStream::set_max_read_chunk(std::size_t bytes) {
  in_->max_read_chunk = bytes;
}

std::uint64_t MemoryStream::bytes_written() const {
  return out_->total_written;
}

}  // namespace pgptls::test
