// The one precompiled header: CAF is the slow include of this project. Beast stays out of it
// (actors/ never sees Beast); net/http_server.cpp, the one Beast TU, skips the PCH.
#pragma once
#include <utility>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>
