// result.h: Result<T>, the error-carrying return type used instead of
// exceptions in every library of pgptls.
#pragma once

#include <cassert>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace pgptls {

// Error: an error code from one of the library categories plus a short
// context string that says where and why ("OpenPGP packet at offset 12").
struct Error {
  std::error_code code;
  std::string context;

  // message: "<context>: <category message>", or the category message alone.
  [[nodiscard]] std::string message() const;

  // wrap: prepends an outer context ("certificate 0xABCD: " + context).
  [[nodiscard]] Error wrap(std::string_view outer) const&;
  [[nodiscard]] Error wrap(std::string_view outer) &&;
};

// make_error: builds an Error from any error-code enum of the project.
template <class E>
requires std::is_error_code_enum_v<E>
[[nodiscard]] Error make_error(E code, std::string context = {}) {
  return Error{make_error_code(code), std::move(context)};
}

// Result<T>: holds either a T or an Error. Reading value() of a failed result
// is a programming error (asserted in debug builds).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const Error& error() const& {
    assert(!ok());
    return std::get<1>(state_);
  }
  [[nodiscard]] Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT implicit

  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] const Error& error() const& {
    assert(!ok());
    return error_;
  }
  [[nodiscard]] Error&& error() && {
    assert(!ok());
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace pgptls

#define PGPTLS_CONCAT_INNER_(a, b) a##b
#define PGPTLS_CONCAT_(a, b) PGPTLS_CONCAT_INNER_(a, b)

// PGPTLS_TRY(declaration, expression): evaluates a Result-returning
// expression; on failure returns its Error from the enclosing function, on
// success moves the value into the declaration, e.g.
//   PGPTLS_TRY(const auto length, reader.u16());
#define PGPTLS_TRY(decl, expr) PGPTLS_TRY_IMPL_(PGPTLS_CONCAT_(pgptls_try_, __LINE__), decl, expr)
#define PGPTLS_TRY_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                      \
  if (!tmp.ok()) {                        \
    return std::move(tmp).error();        \
  }                                       \
  decl = std::move(tmp).value()

// PGPTLS_CHECK(expression): returns the Error of a failed Result<void> (or any
// Result) from the enclosing function.
#define PGPTLS_CHECK(expr)                            \
  do {                                                \
    auto pgptls_check_result_ = (expr);               \
    if (!pgptls_check_result_.ok()) {                 \
      return std::move(pgptls_check_result_).error(); \
    }                                                 \
  } while (false)
