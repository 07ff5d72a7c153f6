# ccache, warnings and sanitizers shared by every target of the project.

find_program(BILLD_CCACHE ccache)
if(BILLD_CCACHE)
  # Precompiled headers need these sloppiness settings to be cacheable at all.
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}" ${BILLD_CCACHE})
endif()

add_library(billd_warnings INTERFACE)
target_compile_options(billd_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor
  $<$<BOOL:${BILLD_WERROR}>:-Werror>)

add_library(billd_sanitizers INTERFACE)
if(BILLD_SANITIZE)
  target_compile_options(billd_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    # CAF 0.17's intrusive queues static_cast their sentinel nodes to the element type
    # (task_queue::promote); UBSan's vptr check aborts on that whenever an actor reads its own
    # mailbox size for billd_actor_mailbox_depth. Every other UBSan check stays on.
    -fno-sanitize=vptr)
  target_link_options(billd_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
