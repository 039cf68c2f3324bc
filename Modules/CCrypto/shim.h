#ifndef ZC_CCRYPTO_SHIM_H
#define ZC_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/hmac.h>
#endif
