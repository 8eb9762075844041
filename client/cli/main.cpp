// `tern`: publish, subscribe, request and reply from the command line, and manage JetStream streams,
// consumers and key-value buckets.
#include <CLI/CLI.hpp>

#include <cstdlib>

#include "client/cli/arguments.h"
#include "client/cli/commands.h"
#include "client/cli/jetstream_commands.h"

int main(int argc, char** argv) {
  using namespace tern::cli;
  CLI::App app{"tern: talk to a Tern or NATS server"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Exit codes: 0 success; 1 usage error, connection failure, server refusal or other error; 2 timed out "
      "(a request, a JetStream call, `consumer next` without its messages); 3 no responders.");

  const char* env_url = std::getenv("NATS_URL");
  std::string server = env_url != nullptr ? env_url : "nats://127.0.0.1:4222";
  tern::client::Options options;
  options.connect_timeout = std::chrono::seconds(5);
  app.add_option("-s,--server", server, "Server URL, nats://[user:password@]host:port (or $NATS_URL)");
  app.add_option("--user", options.user, "User name");
  app.add_option("--password", options.password, "Password");
  app.add_option("--token", options.token, "Authentication token");
  app.add_option("--name", options.name, "Connection name shown by the server");
  add_duration_option(&app, "--connect-timeout", options.connect_timeout, "Connection timeout (default 5s)");

  PubArgs pub;
  CLI::App* pub_cmd = app.add_subcommand("pub", "Publish a message (the data, or standard input)");
  pub_cmd->add_option("subject", pub.subject, "Subject")->required();
  pub_cmd->add_option("data", pub.data, "Message data; read from standard input when absent");
  pub_cmd->add_option("--count", pub.count, "Publish the message this many times")
      ->check(count_of_at_least(1));
  pub_cmd->add_option("-H,--header", pub.headers, "Header KEY:VALUE (repeatable)")->allow_extra_args(false);
  CLI::Option* reply_to = pub_cmd->add_option("--reply", pub.reply, "Reply subject");
  CLI::Option* jetstream =
      pub_cmd->add_flag("-J,--js,--jetstream", pub.jetstream, "Publish to a stream and print each PubAck")
          ->excludes(reply_to);
  pub_cmd->add_option("--msg-id", pub.msg_id, "Nats-Msg-Id, by which the stream drops duplicates")
      ->needs(jetstream);

  SubArgs sub;
  CLI::App* sub_cmd = app.add_subcommand("sub", "Subscribe and print the messages");
  sub_cmd->add_option("subject", sub.subject, "Subject (wildcards allowed)")->required();
  sub_cmd->add_option("--queue", sub.queue, "Queue group");
  sub_cmd->add_option("--count", sub.count, "Exit after this many messages")->check(count_of_at_least(0));

  ReqArgs req;
  CLI::App* req_cmd = app.add_subcommand("req", "Send a request and print the reply");
  req_cmd->add_option("subject", req.subject, "Subject")->required();
  req_cmd->add_option("data", req.data, "Request data")->required();
  add_duration_option(req_cmd, "--timeout", req.timeout, "How long to wait for the reply (default 2s)");
  req_cmd->add_option("-H,--header", req.headers, "Header KEY:VALUE (repeatable)")->allow_extra_args(false);

  ReplyArgs reply;
  CLI::App* reply_cmd = app.add_subcommand("reply", "Answer requests with a fixed response");
  reply_cmd->add_option("subject", reply.subject, "Subject (wildcards allowed)")->required();
  reply_cmd->add_option("response", reply.response, "Response data")->required();
  reply_cmd->add_option("--queue", reply.queue, "Queue group");
  reply_cmd->add_option("--count", reply.count, "Exit after answering this many requests")
      ->check(count_of_at_least(0));

  StreamArgs stream;
  CLI::App* stream_cmd = add_stream_commands(app, stream);
  ConsumerArgs consumer;
  CLI::App* consumer_cmd = add_consumer_commands(app, consumer);
  KvArgs kv;
  CLI::App* kv_cmd = add_kv_commands(app, kv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitFailure;
  }
  pub.data_given = pub_cmd->count("data") > 0;
  options.servers = {server};

  if (*pub_cmd) return run_pub(options, pub);
  if (*sub_cmd) return run_sub(options, sub);
  if (*req_cmd) return run_req(options, req);
  if (*reply_cmd) return run_reply(options, reply);
  if (*stream_cmd) return run_stream(options, stream);
  if (*consumer_cmd) return run_consumer(options, consumer);
  if (*kv_cmd) return run_kv(options, kv);
  return kExitFailure;
}
