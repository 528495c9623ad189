# layers.cmake: the one-way dependencies between the libraries, checked at
# configure time. Each library folder may include headers only from the
# folders listed for it (its own included); a violation stops the configure
# with the file, the include and the rule. Linking follows the same table
# (each CMakeLists links only what is listed here), so a layer can neither
# call nor see what sits above it.
set(PGPTLS_LAYERS
  "base:base"
  "openpgp:base openpgp"
  "pins:base pins"
  "keyring:base openpgp pins keyring"
  "tls/wire:base tls/wire"
  "tls/crypto:base tls/wire tls/crypto"
  "tls/engine:base tls/wire tls/engine"
  "tls/rfc6091:base tls/wire tls/crypto tls/engine tls/rfc6091"
  "tls/gnutls:base tls/wire tls/crypto tls/engine tls/gnutls"
  "tls/trust:base openpgp pins keyring tls/wire tls/crypto tls/engine tls/trust"
  "transport:base openpgp pins keyring tls transport"
  "fetch:base pins fetch"
  "endpoint:base openpgp pins keyring tls transport fetch endpoint"
  "xmpp:base xmpp"
  "s2s:base openpgp pins keyring tls transport xmpp s2s"
)

# pgptls_check_layers(): fails the configure on an include that runs against
# the table above.
function(pgptls_check_layers)
  foreach(entry IN LISTS PGPTLS_LAYERS)
    string(REPLACE ":" ";" parts "${entry}")
    list(GET parts 0 folder)
    list(GET parts 1 allowed)
    string(REPLACE " " ";" allowed "${allowed}")
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS
      "${PROJECT_SOURCE_DIR}/${folder}/*.h" "${PROJECT_SOURCE_DIR}/${folder}/*.cpp")
    foreach(source IN LISTS sources)
      file(STRINGS "${source}" includes REGEX "^#include \"[^\"]+\"")
      foreach(line IN LISTS includes)
        string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
        set(ok FALSE)
        foreach(prefix IN LISTS allowed)
          string(FIND "${header}" "${prefix}/" at)
          if(at EQUAL 0)
            set(ok TRUE)
          endif()
        endforeach()
        if(NOT ok)
          file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${source}")
          message(FATAL_ERROR "layering: ${rel} includes \"${header}\", but ${folder}/ "
            "may include only: ${allowed} (cmake/layers.cmake)")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()
