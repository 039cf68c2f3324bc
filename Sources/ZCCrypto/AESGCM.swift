import CCrypto

/// AES-256-GCM through OpenSSL's EVP interface: authenticated encryption with associated data.
public enum AESGCM {
    public static let keyBytes = 32
    public static let nonceBytes = 12
    public static let tagBytes = 16

    /// Encrypts `plaintext` under `key`; `associatedData` is authenticated but not encrypted.
    /// Returns the ciphertext followed by the 16-byte tag.
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        guard key.count == keyBytes, nonce.count == nonceBytes else {
            throw CryptoError("bad AES-GCM key or nonce size")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError("out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceBytes), nil) == 1,
            EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1
        else { throw CryptoError("AES-GCM initialisation failed") }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw CryptoError("AES-GCM associated data failed")
            }
        }
        var output = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var written: Int32 = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &output, &written, plaintext, Int32(plaintext.count)) == 1 else {
                throw CryptoError("AES-GCM encryption failed")
            }
        }
        var final: Int32 = 0
        let finished = output.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &final)
        }
        guard finished == 1 else { throw CryptoError("AES-GCM encryption failed") }
        let tagStatus = output.withUnsafeMutableBufferPointer { buffer in
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagBytes), buffer.baseAddress! + plaintext.count)
        }
        guard tagStatus == 1 else { throw CryptoError("AES-GCM tag failed") }
        return output
    }

    /// Decrypts ciphertext-and-tag; fails when the key, nonce, associated data or any byte differs.
    public static func open(
        _ sealed: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        guard key.count == keyBytes, nonce.count == nonceBytes, sealed.count >= tagBytes else {
            throw CryptoError("the sealed value is malformed")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError("out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceBytes), nil) == 1,
            EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1
        else { throw CryptoError("AES-GCM initialisation failed") }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw CryptoError("AES-GCM associated data failed")
            }
        }
        let ciphertextCount = sealed.count - tagBytes
        var output = [UInt8](repeating: 0, count: max(1, ciphertextCount))
        var written: Int32 = 0
        if ciphertextCount > 0 {
            guard EVP_DecryptUpdate(context, &output, &written, sealed, Int32(ciphertextCount)) == 1 else {
                throw CryptoError("the sealed value does not decrypt")
            }
        }
        var tag = Array(sealed[ciphertextCount...])
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagBytes), &tag) == 1 else {
            throw CryptoError("AES-GCM tag failed")
        }
        var final: Int32 = 0
        let verified = output.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + Int(written), &final)
        }
        guard verified == 1 else {
            throw CryptoError("the sealed value does not authenticate: wrong key, owner or bytes")
        }
        return Array(output.prefix(ciphertextCount))
    }
}
