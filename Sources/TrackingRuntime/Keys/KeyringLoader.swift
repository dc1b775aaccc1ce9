import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// Loads the key file a configuration names, with errors that say what to do.
public enum KeyringLoader {
    public static func load(_ configuration: Configuration) throws(TrackingKeyFileError) -> TrackingKeyring {
        try TrackingKeyring(contentsOfFile: configuration.keysFile)
    }

    /// A warning when the key file can be read by others: a key forges tracked links.
    public static func permissionWarning(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        guard st.st_mode & 0o077 != 0 else { return nil }
        return "key file \(path) is readable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 \(path)"
    }
}
