#include "net/json_input.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <vector>

#include "net/problem.hpp"

namespace billd {
namespace {

/// Finds a duplicate key anywhere in the document (sorting names: hostile objects with many
/// members stay O(n log n)). Returns its name.
std::optional<std::string> find_duplicate_key(const rapidjson::Value& v) {
  std::vector<const rapidjson::Value*> stack{&v};
  while (!stack.empty()) {
    const auto* cur = stack.back();
    stack.pop_back();
    if (cur->IsObject()) {
      std::vector<std::string_view> names;
      for (const auto& m : cur->GetObject()) {
        names.emplace_back(m.name.GetString(), m.name.GetStringLength());
        stack.push_back(&m.value);
      }
      std::sort(names.begin(), names.end());
      auto dup = std::adjacent_find(names.begin(), names.end());
      if (dup != names.end()) return std::string{*dup};
    } else if (cur->IsArray()) {
      for (const auto& e : cur->GetArray()) stack.push_back(&e);
    }
  }
  return std::nullopt;
}

}  // namespace

parsed_json parse_json_body(const http_request& req) {
  auto ct = req.header("content-type");
  if (!ct || !is_utf8_media(*ct, "application/json"))
    return problem_response(problem::unsupported_media_type, "the body must be application/json",
                            req.path);
  auto doc = std::make_shared<rapidjson::Document>();
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  doc->Parse<flags>(req.body.data(), req.body.size());
  if (doc->HasParseError())
    return problem_response(problem::invalid_json,
                            std::string{"the body is not valid JSON: "} +
                                rapidjson::GetParseError_En(doc->GetParseError()) + " at offset " +
                                std::to_string(doc->GetErrorOffset()),
                            req.path);
  if (auto dup = find_duplicate_key(*doc))
    return problem_response(problem::invalid_json, "duplicate key \"" + *dup + "\"", req.path);
  return doc;
}

object_reader::object_reader(const rapidjson::Value& obj, std::string prefix, field_errors& errors)
    : obj_(obj), prefix_(std::move(prefix)), errors_(errors) {}

std::string object_reader::path(std::string_view name) const {
  return prefix_.empty() ? std::string{name} : prefix_ + "." + std::string{name};
}

const rapidjson::Value* object_reader::member(std::string_view name) const {
  auto it = obj_.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  if (it == obj_.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::optional<std::string> object_reader::string(std::string_view name) {
  const auto* v = member(name);
  if (v == nullptr) return std::nullopt;
  if (!v->IsString()) {
    errors_.push_back({path(name), "must be a string"});
    return std::nullopt;
  }
  return std::string{v->GetString(), v->GetStringLength()};
}

std::optional<bool> object_reader::boolean(std::string_view name) {
  const auto* v = member(name);
  if (v == nullptr) return std::nullopt;
  if (!v->IsBool()) {
    errors_.push_back({path(name), "must be a boolean"});
    return std::nullopt;
  }
  return v->GetBool();
}

std::optional<double> object_reader::number(std::string_view name) {
  const auto* v = member(name);
  if (v == nullptr) return std::nullopt;
  if (!v->IsNumber()) {
    errors_.push_back({path(name), "must be a number"});
    return std::nullopt;
  }
  return v->GetDouble();
}

std::optional<std::int64_t> object_reader::integer(std::string_view name) {
  const auto* v = member(name);
  if (v == nullptr) return std::nullopt;
  if (!v->IsInt64()) {
    errors_.push_back({path(name), "must be an integer"});
    return std::nullopt;
  }
  return v->GetInt64();
}

const rapidjson::Value* object_reader::object(std::string_view name) {
  const auto* v = member(name);
  if (v == nullptr) return nullptr;
  if (!v->IsObject()) {
    errors_.push_back({path(name), "must be an object"});
    return nullptr;
  }
  return v;
}

void object_reader::reject_unknown(std::initializer_list<std::string_view> known) {
  for (const auto& m : obj_.GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    if (std::find(known.begin(), known.end(), name) == known.end())
      errors_.push_back({path(name), "unknown field"});
  }
}

}  // namespace billd
