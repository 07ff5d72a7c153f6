# Debian 12 packages only. CAF ships no CMake config, so it is found by hand.

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(spdlog REQUIRED)
find_package(Boost 1.74 REQUIRED)

# An imported target for a library Debian ships without a CMake config.
function(billd_imported_library target library include_dir)
  add_library(${target} UNKNOWN IMPORTED)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION ${library}
    INTERFACE_INCLUDE_DIRECTORIES ${include_dir})
endfunction()

find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
add_library(caf::core UNKNOWN IMPORTED)
set_target_properties(caf::core PROPERTIES
  IMPORTED_LOCATION ${CAF_CORE_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES Threads::Threads)
add_library(caf::io UNKNOWN IMPORTED)
set_target_properties(caf::io PROPERTIES
  IMPORTED_LOCATION ${CAF_IO_LIBRARY}
  INTERFACE_LINK_LIBRARIES caf::core)

find_path(PQ_INCLUDE_DIR libpq-fe.h PATH_SUFFIXES postgresql REQUIRED)
find_library(PQ_LIBRARY pq REQUIRED)
billd_imported_library(pq::pq ${PQ_LIBRARY} ${PQ_INCLUDE_DIR})

find_path(SODIUM_INCLUDE_DIR sodium.h REQUIRED)
find_library(SODIUM_LIBRARY sodium REQUIRED)
billd_imported_library(sodium::sodium ${SODIUM_LIBRARY} ${SODIUM_INCLUDE_DIR})

find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
add_library(rapidjson::rapidjson INTERFACE IMPORTED)
set_target_properties(rapidjson::rapidjson PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${RAPIDJSON_INCLUDE_DIR}
  INTERFACE_COMPILE_DEFINITIONS "RAPIDJSON_HAS_STDSTRING=1")

# Response compression: gzip through zlib, br through libbrotli (Debian ships no CMake config
# for brotli, so it is found by hand like CAF).
find_package(ZLIB REQUIRED)
find_path(BROTLI_INCLUDE_DIR brotli/encode.h REQUIRED)
find_library(BROTLI_ENC_LIBRARY brotlienc REQUIRED)
find_library(BROTLI_DEC_LIBRARY brotlidec REQUIRED)
billd_imported_library(brotli::enc ${BROTLI_ENC_LIBRARY} ${BROTLI_INCLUDE_DIR})
billd_imported_library(brotli::dec ${BROTLI_DEC_LIBRARY} ${BROTLI_INCLUDE_DIR})

# The optional Redis cache level: hiredis (Debian ships no CMake config for it either).
find_path(HIREDIS_INCLUDE_DIR hiredis/hiredis.h REQUIRED)
find_library(HIREDIS_LIBRARY hiredis REQUIRED)
billd_imported_library(hiredis::hiredis ${HIREDIS_LIBRARY} ${HIREDIS_INCLUDE_DIR})

# TLS for outbound HTTPS (gateway, webhooks): Debian's OpenSSL 3 through Boost.Asio's ssl.
find_package(OpenSSL REQUIRED)

# jemalloc replaces glibc malloc in the billd binary: requests allocate on an Asio thread and
# free on a CAF worker (and back), which glibc's per-arena locks and chunk consolidation make
# costly (malloc/free were ~13 % of the machine's CPU on the cached read path). Measured with
# bench/compare, 3 alternating runs at 64 connections: cached GET +10 % req/s and -15 % billd
# CPU per request, creates +10 % and -13 %; mimalloc did as well on reads but not on creates.
# Off under the sanitizers, which bring their own allocator.
if(NOT BILLD_SANITIZE)
  find_library(JEMALLOC_LIBRARY jemalloc REQUIRED)
endif()

