import CLayerwiseHDF5

/// Element types as stored in a file.
public enum H5ElementType: String, Sendable, Hashable {
    case uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64, string, other

    /// Whether it is one of the eight integer types.
    public var isInteger: Bool { [.uint8, .int8, .uint16, .int16, .uint32, .int32, .uint64, .int64].contains(self) }
    /// Whether it is an integer or floating-point type (not `string` or `other`).
    public var isNumeric: Bool { isInteger || self == .float32 || self == .float64 }

    /// Classifies an HDF5 datatype id.
    init(typeID t: hid_t) {
        let size = H5Tget_size(t)
        switch H5Tget_class(t) {
        case H5T_INTEGER:
            let signed = H5Tget_sign(t) != H5T_SGN_NONE
            switch (size, signed) {
            case (1, false): self = .uint8
            case (1, true): self = .int8
            case (2, false): self = .uint16
            case (2, true): self = .int16
            case (4, false): self = .uint32
            case (4, true): self = .int32
            case (8, false): self = .uint64
            case (8, true): self = .int64
            default: self = .other
            }
        case H5T_FLOAT:
            self = size == 4 ? .float32 : size == 8 ? .float64 : .other
        case H5T_STRING:
            self = .string
        default:
            self = .other
        }
    }
}

/// A Swift number type HDF5 can read and write; HDF5 converts between it and the
/// file's element type on read (a uint8 dataset reads as Float).
public protocol H5Scalar {
    /// The in-memory (native) HDF5 type.
    static var nativeType: hid_t { get }
    /// The type stored in files Layerwise writes: little-endian, portable.
    static var fileType: hid_t { get }
    static var elementType: H5ElementType { get }
    init()
}

extension UInt8: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_UINT8`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_UINT8() }
    /// `H5T_STD_U8LE`: little-endian unsigned 8-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_U8LE() }
    /// The element type it is stored as: `uint8`.
    public static var elementType: H5ElementType { .uint8 }
}
extension Int8: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_INT8`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_INT8() }
    /// `H5T_STD_I8LE`: little-endian signed 8-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_I8LE() }
    /// The element type it is stored as: `int8`.
    public static var elementType: H5ElementType { .int8 }
}
extension UInt16: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_UINT16`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_UINT16() }
    /// `H5T_STD_U16LE`: little-endian unsigned 16-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_U16LE() }
    /// The element type it is stored as: `uint16`.
    public static var elementType: H5ElementType { .uint16 }
}
extension Int16: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_INT16`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_INT16() }
    /// `H5T_STD_I16LE`: little-endian signed 16-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_I16LE() }
    /// The element type it is stored as: `int16`.
    public static var elementType: H5ElementType { .int16 }
}
extension UInt32: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_UINT32`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_UINT32() }
    /// `H5T_STD_U32LE`: little-endian unsigned 32-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_U32LE() }
    /// The element type it is stored as: `uint32`.
    public static var elementType: H5ElementType { .uint32 }
}
extension Int32: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_INT32`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_INT32() }
    /// `H5T_STD_I32LE`: little-endian signed 32-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_I32LE() }
    /// The element type it is stored as: `int32`.
    public static var elementType: H5ElementType { .int32 }
}
extension UInt64: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_UINT64`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_UINT64() }
    /// `H5T_STD_U64LE`: little-endian unsigned 64-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_U64LE() }
    /// The element type it is stored as: `uint64`.
    public static var elementType: H5ElementType { .uint64 }
}
extension Int64: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_INT64`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_INT64() }
    /// `H5T_STD_I64LE`: little-endian signed 64-bit integers.
    public static var fileType: hid_t { lw_H5T_STD_I64LE() }
    /// The element type it is stored as: `int64`.
    public static var elementType: H5ElementType { .int64 }
}
extension Float: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_FLOAT`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_FLOAT() }
    /// `H5T_IEEE_F32LE`: little-endian IEEE 754 single precision.
    public static var fileType: hid_t { lw_H5T_IEEE_F32LE() }
    /// The element type it is stored as: `float32`.
    public static var elementType: H5ElementType { .float32 }
}
extension Double: H5Scalar {
    /// The in-memory type, `H5T_NATIVE_DOUBLE`.
    public static var nativeType: hid_t { lw_H5T_NATIVE_DOUBLE() }
    /// `H5T_IEEE_F64LE`: little-endian IEEE 754 double precision.
    public static var fileType: hid_t { lw_H5T_IEEE_F64LE() }
    /// The element type it is stored as: `float64`.
    public static var elementType: H5ElementType { .float64 }
}
