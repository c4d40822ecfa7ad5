#ifndef AFTERDESK_CCURL_SHIM_H
#define AFTERDESK_CCURL_SHIM_H
#include <stddef.h>

/// The result of one libcurl transfer. `error` is empty on success; `response` is unused since HTTP left libcurl (SMTP
/// only); afterdesk_curl_free still releases it.
typedef struct {
    int curl_code;          /* CURLcode: 0 is success */
    long status;            /* HTTP status, or the last SMTP reply code */
    char error[256];        /* CURLOPT_ERRORBUFFER text */
    char *response;
    size_t response_length;
} afterdesk_curl_result;

/// Sends one message by SMTP (smtp:// with STARTTLS when offered and `require_tls`, or smtps://).
/// `recipients` has `recipient_count` addresses; `message` is the full RFC 5322 text with CRLF line ends.
void afterdesk_smtp_send(const char *url, const char *user, const char *password, const char *from,
                         const char *const *recipients, size_t recipient_count,
                         const char *message, size_t message_length, int require_tls, const char *ca_file,
                         long timeout_seconds, afterdesk_curl_result *result);

void afterdesk_curl_free(afterdesk_curl_result *result);

#endif
