import CLua

/// Reading and pushing values with explicit lengths: message bytes may hold NUL, and
/// nothing read from Lua is trusted to be text or in range.
enum LuaStack {
    /// The string or number at `index` as bytes, or nil for any other type. A number is
    /// converted in place, as Lua's own string functions do.
    static func bytes(_ L: OpaquePointer, _ index: Int32) -> [UInt8]? {
        let type = lua_type(L, index)
        guard type == LUA_TSTRING || type == LUA_TNUMBER else { return nil }
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: length))
    }

    /// The string or number at `index` as text; invalid UTF-8 becomes U+FFFD, as header
    /// text does elsewhere in the milter.
    static func text(_ L: OpaquePointer, _ index: Int32) -> String? {
        let type = lua_type(L, index)
        guard type == LUA_TSTRING || type == LUA_TNUMBER else { return nil }
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: length), as: UTF8.self)
    }

    static func push(_ L: OpaquePointer, bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            // Lua copies the bytes; with a length of 0 it never reads the pointer.
            lua_pushlstring(L, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buffer.count)
        }
    }

    static func push(_ L: OpaquePointer, _ value: String?) {
        guard var text = value else {
            lua_pushnil(L)
            return
        }
        text.withUTF8 { buffer in
            lua_pushlstring(L, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buffer.count)
        }
    }

    /// A type's name for messages ("nil", "table", ...).
    static func typeName(_ L: OpaquePointer, _ index: Int32) -> String {
        guard let name = lua_typename(L, lua_type(L, index)) else { return "value" }
        return String(cString: name)
    }

    /// The error message at `index`: a string as it is, anything else by its type.
    static func errorMessage(_ L: OpaquePointer, _ index: Int32) -> String {
        guard let text = text(L, index) else { return "(error object is a \(typeName(L, index)) value)" }
        return text
    }
}
