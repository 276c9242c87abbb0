import SundialCore

extension RemoteWriteDecoder {
    /// Sizes the per-series resolution arrays for `count` series (capacity reused).
    func prepareResolution(count: Int) {
        resolvedLabels.removeAll(keepingCapacity: true)
        resolvedRefs.removeAll(keepingCapacity: true)
        resolvedSlots.removeAll(keepingCapacity: true)
        rejections.removeAll(keepingCapacity: true)
        resolvedLabels.append(contentsOf: repeatElement(nil, count: count))
        resolvedRefs.append(contentsOf: repeatElement(.none, count: count))
        resolvedSlots.append(contentsOf: repeatElement(-1, count: count))
    }
}
