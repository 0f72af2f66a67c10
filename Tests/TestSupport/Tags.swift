import Testing

extension Tag {
    /// Suites that take more than a few seconds (release builds, training, large photos):
    /// `make test-fast` skips them, `make test` runs everything.
    @Tag public static var slow: Tag
}
