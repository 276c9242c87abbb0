public import SundialCore

/// One decoded TimeSeries as plain values (see ``RemoteWriteDecoder/inspect()``).
public struct DecodedSeriesView: Sendable, Equatable {
    /// Labels in wire order, unvalidated (invalid UTF-8 is decoded with replacement characters).
    public var labels: [Label]
    /// Float samples in wire order.
    public var samples: [RemoteWriteRequest.Sample]
    /// Exemplars decoded (not kept).
    public var exemplarCount: Int
    /// Native histogram samples decoded (not kept).
    public var histogramCount: Int
}

extension RemoteWriteDecoder {
    /// The last decoded request as plain values, for tests and debugging. Allocates.
    public func inspect() -> [DecodedSeriesView] {
        let v = view
        return request.series.map { s in
            let labels = (Int(s.labelStart)..<Int(s.labelStart + s.labelCount)).map { i in
                Label(v.printable(request.nameRange(i)), v.printable(request.valueRange(i)))
            }
            let samples = (Int(s.sampleStart)..<Int(s.sampleStart + s.sampleCount)).map { k in
                RemoteWriteRequest.Sample(value: request.values[k], timestamp: request.timestamps[k])
            }
            return DecodedSeriesView(labels: labels, samples: samples, exemplarCount: Int(s.exemplarCount),
                                     histogramCount: Int(s.histogramCount))
        }
    }

    /// The 1.0 `metadata` of the last decoded request.
    public var decodedMetadata: [MetricMetadata] { request.metadata }
}
