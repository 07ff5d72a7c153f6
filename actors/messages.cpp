#include "actors/messages.hpp"

#include <caf/actor_system_config.hpp>

namespace billd {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<db_outcome>("billd::db_outcome");
  cfg.add_message_type<api_reply>("billd::api_reply");
  cfg.add_message_type<principal>("billd::principal");
  cfg.add_message_type<create_bill_cmd>("billd::create_bill_cmd");
  cfg.add_message_type<cancel_bill_cmd>("billd::cancel_bill_cmd");
  cfg.add_message_type<user_change_cmd>("billd::user_change_cmd");
  cfg.add_message_type<gateway_call>("billd::gateway_call");
  cfg.add_message_type<gateway_result>("billd::gateway_result");
  cfg.add_message_type<control_number_cmd>("billd::control_number_cmd");
  cfg.add_message_type<payment_cmd>("billd::payment_cmd");
}

}  // namespace billd
