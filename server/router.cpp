#include "server/router.h"

#include "server/subscriber.h"
#include "server/subscription.h"

namespace tern::server {

namespace {

Delivery deliver(Subscription& sub, const Publisher& publisher, const RoutedMessage& msg) noexcept {
  Subscriber* to = sub.subscriber;
  if (to == nullptr) return Delivery::kRefused;
  if (!publisher.echo && to->id() == publisher.id) return Delivery::kRefused;
  // Ended during this route (a message with several matching patterns), or refused once the max was hit.
  if (sub.max_msgs != 0 && sub.delivered >= sub.max_msgs) return Delivery::kRefused;
  const Delivery outcome = to->deliver(sub, msg);
  if (outcome == Delivery::kRefused) return outcome;
  ++sub.delivered;
  if (sub.max_msgs != 0 && sub.delivered >= sub.max_msgs) to->end_subscription(sub);
  return outcome;
}

void note(RouteResult& result, Delivery outcome, const Subscription& sub,
          const Publisher& publisher) noexcept {
  ++result.deliveries;
  if (outcome == Delivery::kDeliveredCongested && result.congested == nullptr &&
      sub.subscriber->id() != publisher.id) {
    result.congested = sub.subscriber;
  }
}

}  // namespace

RouteResult route(Sublist& index, Publisher& publisher, const RoutedMessage& msg, FastRandom& random) {
  RouteResult result;
  // Our own reference for the whole route: deliveries can end subscriptions, which edits the index, and
  // the result must not change while it is walked.
  const MatchRef match =
      publisher.cache.lookup(index, msg.route_subject.empty() ? msg.subject : msg.route_subject);
  if (match->empty()) return result;

  for (Subscription* sub : match->plain) {
    const Delivery outcome = deliver(*sub, publisher, msg);
    if (outcome != Delivery::kRefused) note(result, outcome, *sub, publisher);
  }
  for (const QueueGroupMatch& group : match->queues) {
    const std::size_t n = group.members.size();
    if (n == 0) continue;
    // One member per group, chosen at random; members that cannot take it pass it on to the next.
    std::size_t member = static_cast<std::size_t>(random.below(n));
    for (std::size_t tried = 0; tried < n; ++tried) {
      Subscription& sub = *group.members[member];
      const Delivery outcome = deliver(sub, publisher, msg);
      if (outcome != Delivery::kRefused) {
        note(result, outcome, sub, publisher);
        break;
      }
      if (++member == n) member = 0;
    }
  }
  return result;
}

}  // namespace tern::server
