import Foundation
import Testing

@testable import NeuralNet

/// Model file errors quote names from the file; they stay on one line (found by fuzz-model:
/// a tensor named "optimizer.c\nv1.weight", a header whose JSON had a bad escape before a
/// raw newline).
@Suite struct ModelFileMessageTests {
    private func file(header: String) -> [UInt8] {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json
    }

    @Test(arguments: [
        "{\"__metadata__\": {\"format\": \"dream-cnn\"}, \"a\\\n\": 1}",
        "{\"__metadata__\": {\"format\": \"dream\\u000acnn\", \"version\": \"1\"}}",
        "{\"__metadata__\": {\"format\": \"dream-cnn\", \"version\": \"1\", \"architecture\": \"{\\\"input\\\":[2,2,1],\\\"layers\\\":[{\\\"kind\\\":\\\"flatten\\\",\\\"name\\\":\\\"fl\\\\nat\\\"}]}\"}, \"optimizer.c\\nv1.weight\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
    ])
    func errorsQuotingTheFileStayOnOneLine(header: String) {
        do {
            _ = try ModelFile.decode(file(header: header), path: "m.safetensors")
            Issue.record("decoded")
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.hasPrefix("m.safetensors: ") && !message.contains("\n"), "\(message)")
        }
    }
}
