# Generates a C++ source holding every storage/migrations/NNNN_name.sql as a raw string,
# so the binary carries its schema and `billd migrate` needs no files beside it.
# Usage: cmake -DSRC_DIR=... -DOUT=... -P embed_migrations.cmake
file(GLOB files RELATIVE ${SRC_DIR} ${SRC_DIR}/*.sql)
list(SORT files)
set(body "// Generated from storage/migrations by cmake/embed_migrations.cmake. Do not edit.\n")
string(APPEND body "#include \"storage/migrations.hpp\"\n\nnamespace billd {\n\n")
string(APPEND body "const std::vector<migration>& embedded_migrations() {\n")
string(APPEND body "  static const std::vector<migration> all = {\n")
foreach(f ${files})
  file(READ ${SRC_DIR}/${f} sql)
  string(REGEX MATCH "^([0-9]+)_(.*)\\.sql$" _ ${f})
  math(EXPR version "${CMAKE_MATCH_1}")
  string(APPEND body "    {${version}, \"${CMAKE_MATCH_2}\", R\"billdsql(${sql})billdsql\"},\n")
endforeach()
string(APPEND body "  };\n  return all;\n}\n\n}  // namespace billd\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
