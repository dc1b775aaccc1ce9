/*
 * CLibcrypto: OpenSSL's libcrypto as Swift sees it, for one job: sealing tracking tokens
 * with ChaCha20-Poly1305 under a cipher context made once per message. swift-crypto's
 * ChaChaPoly builds a new AEAD context and several Data values per call (about 17,000
 * instructions around a 2,200-instruction cipher); with a kept EVP context a seal is about
 * 5,500. Opening stays on swift-crypto, so every round trip checks one library against the
 * other. Header-only so the target stays a system library.
 */
#ifndef CLIBCRYPTO_SHIM_H
#define CLIBCRYPTO_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/** A ChaCha20-Poly1305 encryption context under a 32-byte key, or NULL. Free with EVP_CIPHER_CTX_free. */
static inline EVP_CIPHER_CTX *clibcrypto_chacha20_poly1305_new(const uint8_t key[32]) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return NULL;
    if (EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, NULL) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/**
 * Seals `plaintext` under the context's key and the 12-byte `nonce`, authenticating `ad`:
 * writes the ciphertext (as long as the plaintext) and then the 16-byte tag to `out`, which
 * must hold plaintext_len + 16 bytes. Returns 1 on success, 0 on failure.
 */
static inline int clibcrypto_chacha20_poly1305_seal(
    EVP_CIPHER_CTX *ctx, const uint8_t nonce[12], const uint8_t *ad, int ad_len,
    const uint8_t *plaintext, int plaintext_len, uint8_t *out) {
    int written = 0, final_written = 0;
    if (plaintext_len < 0 || ad_len < 0) return 0;
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1) return 0;
    if (ad_len > 0 && EVP_EncryptUpdate(ctx, NULL, &written, ad, ad_len) != 1) return 0;
    written = 0;
    if (plaintext_len > 0 && EVP_EncryptUpdate(ctx, out, &written, plaintext, plaintext_len) != 1) return 0;
    if (EVP_EncryptFinal_ex(ctx, out + written, &final_written) != 1) return 0;
    if (written + final_written != plaintext_len) return 0;
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + plaintext_len) == 1;
}

#endif
