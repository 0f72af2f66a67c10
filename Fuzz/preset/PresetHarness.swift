import Dreaming
import Foundation
import FuzzSupport

/// Any bytes as a preset file. What loads must survive the trip every render makes: its
/// settings embedded as JSON in the output PNG and read back by `--from`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPreset(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.file([UInt8](fuzzInput: data, count: size), named: "input.json")
    do {
        let preset = try Preset(contentsOf: path)
        // Loaded settings are finite and in range: failing to encode them is a finding.
        guard let json = try? FileRenderer.settingsJSON(preset.settings) else {
            FuzzInput.require(false, "the settings of \(path) did not encode as JSON")
            return 0
        }
        let again = FuzzInput.file(Array(json.utf8), named: "again.json")
        let back = try Preset(contentsOf: again).settings
        FuzzInput.require(back == preset.settings, "settings changed on their way through JSON: \(json)")
    } catch {
        FuzzInput.checkMessage(error, names: path)
    }
    return 0
}
