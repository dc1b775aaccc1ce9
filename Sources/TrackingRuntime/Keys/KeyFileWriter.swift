import Foundation
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// Writes key files for `keygen`: created with mode 0600, never silently replaced.
public enum KeyFileWriter {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates a new key file; refuses when one exists (rotate it instead).
    public static func create(at path: String) throws(Failure) {
        guard access(path, F_OK) != 0 else {
            throw Failure(description: "\(path) exists; use --rotate to add a new active key, or remove it first")
        }
        try write(TrackingKeyring.generateKeyFile(), to: path, exclusive: true)
    }

    /// Adds a new key to an existing file and makes it active; returns the new key's id.
    public static func rotate(at path: String) throws(Failure) -> UInt8 {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Failure(description: "cannot read \(path): \(error.localizedDescription)")
        }
        do {
            let (newText, id) = try TrackingKeyring.rotateKeyFile(text, file: path)
            try write(newText, to: path, exclusive: false)
            return id
        } catch let error as TrackingKeyFileError {
            throw Failure(description: "\(error)")
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// Writes through a temporary file and a rename, so a crash never leaves half a key file.
    private static func write(_ text: String, to path: String, exclusive: Bool) throws(Failure) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw Failure(description: "cannot write \(temporary)")
        }
        if exclusive {
            // link() fails if the target appeared meanwhile, unlike rename().
            guard link(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw Failure(description: "cannot create \(path): \(reason)")
            }
            unlink(temporary)
        } else {
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw Failure(description: "cannot replace \(path): \(reason)")
            }
        }
    }
}
