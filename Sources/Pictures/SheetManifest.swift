import Foundation

/// The JSON beside a sheet: pretty, sorted, and with infinities and NaN spelled out (a
/// ratio over a dead map's zero test maximum is infinite), shared by every sheet.
enum SheetManifest {
    static func encode<T: Encodable>(_ manifest: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Plain Codable structs of numbers and strings with non-finite floats spelled
        // out above: encoding cannot fail.
        return [UInt8](try! encoder.encode(manifest))
    }
}
