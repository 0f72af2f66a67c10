import Imaging
import NeuralNet
import Resampling

/// Renders one photo once per map of a layer with a downscale-mode recipe (the ghost's),
/// every map's dream a step of the same batch: N copies of the network-sized view go through the
/// network together, item `n` raising map `n`. So a user can pick the map to dream with
/// from one sheet, as the seed's author did by trying maps one at a time.
///
/// `DreamRenderer` runs the batch with the code a single render runs as a batch of one,
/// so a cell is the single-map render of the same photo.
public final class MapExplorer {
    public struct Cell: Sendable {
        public var map: Int
        /// The dream, in the photo's colors (or gray, as the settings say).
        public var image: Image
        /// The map's mean pre-activation (a unit's value for dense layers) at the last step.
        public var objective: Float
        /// RMS change of the luminance over the photo's own contrast (its standard
        /// deviation, at least 0.05), as `strength` measures it: how far this map moved
        /// the photo.
        public var change: Float
    }

    public let model: Sequential
    public let workers: Int
    /// Told how far the batch is ("loop 2/4, 128 maps").
    public var progress: ((String) -> Void)?
    /// Batches sent through the network by the last `explore`: one per step, whatever
    /// the number of maps.
    public private(set) var passes = 0

    public init(model: Sequential, workers: Int = Parallelism.cores) {
        self.model = model
        self.workers = workers
    }

    /// The step size of a strength-driven preset's maps here: the seed's ghost step, a
    /// change about as visible as the ghost preset's strength, with the photo still
    /// readable under every map (0.02 buries the dahlia under most conv3 maps).
    public static let fixedStepSize: Float = 0.004

    /// The settings each map's dream uses: `settings` with map `map` of `layer` as the
    /// whole objective, on the fixed-step recipe (no strength target, `std` range; a
    /// strength-driven preset steps `fixedStepSize`): every map gets the same effort, so
    /// a strong map shows as strong and a weak one as weak, which a strength target would
    /// even out.
    public static func settings(_ settings: DreamSettings, layer: String, map: Int) -> DreamSettings {
        var single = settings
        if single.strength != nil {
            single.strength = nil
            single.stepSize = fixedStepSize
        }
        if single.range == .soft { single.range = .std }
        single.layer = layer
        single.maps = [map]
        single.layers = [:]
        single.classIndex = nil
        single.guide = nil
        return single
    }

    /// Every map of `layer` (or `maps`), each dreaming on `photo` with `settings`'s recipe.
    public func explore(_ photo: Image, settings: DreamSettings, layer: String, maps: [Int]? = nil)
        throws(DreamError) -> [Cell]
    {
        let layerIndex: Int
        do {
            layerIndex = try model.layerIndex(named: layer)
        } catch {
            throw .invalidSetting(key: "layer", problem: error.errorDescription ?? layer)
        }
        let kind = model.layers[layerIndex].spec.kind
        guard kind == .conv2d || kind == .dense else {
            throw .invalidSetting(
                key: "layer",
                problem: "\(model.layers[layerIndex].name) has no maps of its own; pick a conv or dense layer")
        }
        // Cannot throw: the layer name was resolved when this was set up.
        let count = try! model.outputShapes(for: model.inputShape)[layerIndex].channels
        let maps = maps ?? Array(0..<count)
        guard !maps.isEmpty else { throw .invalidSetting(key: "maps", problem: "no maps to explore") }
        let renderer = DreamRenderer(model: model, workers: workers)
        let (results, passes) = try renderer.renderMaps(
            photo, settings: Self.settings(settings, layer: layer, map: maps[0]), maps: maps
        ) { [progress] loop in progress?("loop \(loop + 1)/\(settings.loops), \(maps.count) maps") }
        self.passes = passes
        // How far each dream moved the photo, measured as `strength` is.
        var luma = ColorSpace.luma(of: photo)
        if settings.invert { luma.pixels = luma.pixels.map { 1 - $0 } }
        let contrast = max(RangeAdjustment.statistics(luma.pixels).std, DreamRenderer.minimumContrast)
        return zip(maps, results).map { map, result in
            var dreamed = ColorSpace.luma(of: result.image)
            if settings.invert { dreamed.pixels = dreamed.pixels.map { 1 - $0 } }
            var squares = 0.0
            for i in dreamed.pixels.indices {
                let d = Double(dreamed.pixels[i] - luma.pixels[i])
                squares += d * d
            }
            let change = Float((squares / Double(max(luma.pixels.count, 1))).squareRoot()) / contrast
            return Cell(map: map, image: result.image, objective: result.history.last ?? 0, change: change)
        }
    }
}
