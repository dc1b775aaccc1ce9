/// Where a value stands in a configuration file, so a check made later (by the module that
/// understands the value) can still name the file, line and key.
public struct ConfigLocation: Sendable, Equatable {
    public let file: String
    /// 1-based; 0 for a built-in default.
    public let line: Int
    public let column: Int
    /// The dotted key, for example `milter.socket`.
    public let key: String

    public init(file: String, line: Int, column: Int, key: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
    }

    /// A configuration error at this place.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, key: key, message: message)
    }
}

/// A configuration value with the place it was read from (nil for a built-in default).
public struct Located<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var location: ConfigLocation?

    public init(_ value: Value, at location: ConfigLocation? = nil) {
        self.value = value
        self.location = location
    }

    /// Checks the value with `parse`, turning its failure into an error at the value's place.
    public func parsed<T>(in file: String, key: String, _ parse: (Value) throws -> T) throws(ConfigError) -> T {
        do { return try parse(value) } catch {
            let place = location ?? ConfigLocation(file: file, line: 0, column: 0, key: key)
            throw place.error("\(error)")
        }
    }
}
