import CLibcrypto

/// A ChaCha20-Poly1305 sealing context under one key, kept for the tokens of one message:
/// the key is set up once, each seal only sets the nonce (see CLibcrypto's shim for why this
/// is not swift-crypto). Not thread-safe: `TokenSealer` holds it under its lock.
final class ChaChaPolyContext {
    private let context: OpaquePointer

    /// Nil when libcrypto cannot make the context (out of memory, or no ChaCha20-Poly1305).
    init?(key: TrackingKey) {
        let made = key.withSecret { secret in
            secret.withUnsafeBufferPointer { clibcrypto_chacha20_poly1305_new($0.baseAddress) }
        }
        guard let made else { return nil }
        context = made
    }

    deinit {
        EVP_CIPHER_CTX_free(context)
    }

    /// Appends the ciphertext of `plaintext` and then its 16-byte tag to `out`; false when
    /// libcrypto fails (then `out` is as it was).
    func seal(nonce: [UInt8], associatedData: [UInt8], plaintext: [UInt8], appendingTo out: inout [UInt8]) -> Bool {
        guard nonce.count == 12, plaintext.count <= Int(Int32.max) - 16, associatedData.count <= Int(Int32.max) else {
            return false
        }
        let start = out.count
        let sealedCount = plaintext.count + SealedTokenFormat.tagLength
        out.append(contentsOf: repeatElement(0, count: sealedCount))
        let sealed = out.withUnsafeMutableBufferPointer { buffer in
            nonce.withUnsafeBufferPointer { nonce in
                associatedData.withUnsafeBufferPointer { ad in
                    plaintext.withUnsafeBufferPointer { text in
                        clibcrypto_chacha20_poly1305_seal(
                            context, nonce.baseAddress, ad.baseAddress, Int32(ad.count),
                            text.baseAddress, Int32(text.count), buffer.baseAddress.map { $0 + start })
                    }
                }
            }
        }
        guard sealed == 1 else {
            out.removeSubrange(start...)
            return false
        }
        return true
    }
}
