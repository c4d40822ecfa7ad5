#include "ccurl_shim.h"
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct { const char *data; size_t length; size_t offset; } upload;

static size_t read_upload(char *buffer, size_t size, size_t count, void *userdata) {
    upload *u = (upload *)userdata;
    size_t room = size * count, left = u->length - u->offset;
    size_t n = left < room ? left : room;
    memcpy(buffer, u->data + u->offset, n);
    u->offset += n;
    return n;
}

static void start(afterdesk_curl_result *result) {
    pthread_once(&once, global_init);
    memset(result, 0, sizeof *result);
}

void afterdesk_smtp_send(const char *url, const char *user, const char *password, const char *from,
                         const char *const *recipients, size_t recipient_count,
                         const char *message, size_t message_length, int require_tls, const char *ca_file,
                         long timeout_seconds, afterdesk_curl_result *result) {
    start(result);
    CURL *curl = curl_easy_init();
    if (!curl) { result->curl_code = CURLE_FAILED_INIT; strcpy(result->error, "curl_easy_init failed"); return; }
    struct curl_slist *rcpt = NULL;
    for (size_t i = 0; i < recipient_count; i++) rcpt = curl_slist_append(rcpt, recipients[i]);
    upload u = { message, message_length, 0 };
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, result->error);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    if (user && *user) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password ? password : "");
    }
    curl_easy_setopt(curl, CURLOPT_USE_SSL, require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (ca_file && *ca_file) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);   /* a private CA; the server is always verified */
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message_length);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    result->curl_code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result->status);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
}

void afterdesk_curl_free(afterdesk_curl_result *result) {
    free(result->response);
    result->response = NULL;
    result->response_length = 0;
}
