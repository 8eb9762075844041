/* The container test's libnats side: connects to the URL given, subscribes to SUBJECT_IN, publishes
 * "from-libnats" to SUBJECT_OUT and to itself (which must come back), prints "READY" once the server
 * holds its subscription, then waits for one message on SUBJECT_IN (sent by the C++ client) and prints
 * its payload. Exits 0 only when both messages arrived.
 * Usage: libnats_roundtrip URL SUBJECT_IN SUBJECT_OUT */
#include <nats/nats.h>
#include <stdio.h>
#include <string.h>

static int fail(const char* what, natsStatus status) {
  fprintf(stderr, "libnats_roundtrip: %s: %s\n", what, natsStatus_GetText(status));
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: libnats_roundtrip URL SUBJECT_IN SUBJECT_OUT\n");
    return 2;
  }
  natsConnection* connection = NULL;
  natsSubscription* subscription = NULL;
  natsMsg* message = NULL;
  natsStatus status = natsConnection_ConnectTo(&connection, argv[1]);
  if (status != NATS_OK) return fail("connect", status);
  status = natsConnection_SubscribeSync(&subscription, connection, argv[2]);
  if (status == NATS_OK) status = natsConnection_FlushTimeout(connection, 5000);
  if (status != NATS_OK) return fail("subscribe", status);

  /* To itself first: the round trip through the container proves the subscription is in place. */
  status = natsConnection_PublishString(connection, argv[2], "echo");
  if (status == NATS_OK) status = natsSubscription_NextMsg(&message, subscription, 5000);
  if (status != NATS_OK) return fail("echo", status);
  if (strcmp(natsMsg_GetData(message), "echo") != 0) {
    fprintf(stderr, "libnats_roundtrip: echo came back as \"%s\"\n", natsMsg_GetData(message));
    return 1;
  }
  natsMsg_Destroy(message);
  status = natsConnection_PublishString(connection, argv[3], "from-libnats");
  if (status == NATS_OK) status = natsConnection_FlushTimeout(connection, 5000);
  if (status != NATS_OK) return fail("publish", status);
  printf("READY\n");
  fflush(stdout);

  status = natsSubscription_NextMsg(&message, subscription, 10000);
  if (status != NATS_OK) return fail("waiting for the C++ client's message", status);
  printf("received %s\n", natsMsg_GetData(message));
  natsMsg_Destroy(message);
  natsSubscription_Destroy(subscription);
  natsConnection_Destroy(connection);
  nats_Close();
  return 0;
}
