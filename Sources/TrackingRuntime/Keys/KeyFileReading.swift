import Foundation
import Tracking

extension TrackingKeyring {
    /// The keyring of the key file at `path`.
    public init(contentsOfFile path: String) throws(TrackingKeyFileError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TrackingKeyFileError(file: path, line: nil, kind: .unreadable(Self.readFailure(error)))
        }
        try self.init(parsing: text, file: path)
    }

    private static func readFailure(_ error: any Error) -> String {
        switch (error as? CocoaError)?.code {
        case .fileReadNoSuchFile?: "no such file"
        case .fileReadNoPermission?: "permission denied"
        case .fileReadInapplicableStringEncoding?, .fileReadCorruptFile?: "not UTF-8 text"
        default: error.localizedDescription
        }
    }
}
