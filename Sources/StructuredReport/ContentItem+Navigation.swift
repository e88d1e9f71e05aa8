/// Lookups by concept, in the spirit of highdicom's `find_content_items` and
/// DCMTK's `gotoNamedChildNode`. Concepts are matched by code (with legacy
/// equivalents), never by meaning.
extension ContentItem {
    /// Direct children whose concept matches `concept`, in document order.
    public func children(named concept: CodedConcept) -> [ContentItem] {
        children.filter { $0.concept?.matches(concept) == true }
    }

    /// The first direct child whose concept matches `concept`.
    public func child(named concept: CodedConcept) -> ContentItem? {
        children.first { $0.concept?.matches(concept) == true }
    }

    /// The first direct child whose concept matches any of `concepts`.
    public func child(namedAnyOf concepts: [CodedConcept]) -> ContentItem? {
        children.first { $0.concept?.matches(anyOf: concepts) == true }
    }

    /// Every descendant (depth first, document order) whose concept matches.
    /// Recursion depth is bounded by the reader's depth limit.
    public func descendants(named concept: CodedConcept) -> [ContentItem] {
        var found: [ContentItem] = []
        collect(named: concept, into: &found)
        return found
    }

    private func collect(named concept: CodedConcept, into found: inout [ContentItem]) {
        for child in children {
            if child.concept?.matches(concept) == true { found.append(child) }
            if !child.children.isEmpty { child.collect(named: concept, into: &found) }
        }
    }

    /// How many descendants match, without copying any of them.
    public func countDescendants(named concept: CodedConcept) -> Int {
        var count = 0
        for child in children {
            if child.concept?.matches(concept) == true { count += 1 }
            if !child.children.isEmpty { count += child.countDescendants(named: concept) }
        }
        return count
    }

    /// The number of items below this one.
    public var descendantCount: Int {
        var count = 0
        var stack = children
        while let item = stack.popLast() {
            count += 1
            stack.append(contentsOf: item.children)
        }
        return count
    }

    /// TEXT value, if this is a TEXT item.
    public var textValue: String? {
        if case .text(let text) = value { return text }
        return nil
    }

    /// CODE value, if this is a CODE item with a code.
    public var codeValue: CodedConcept? {
        if case .code(let code) = value { return code }
        return nil
    }

    /// UIDREF value.
    public var uidValue: String? {
        if case .uidReference(let uid) = value { return uid }
        return nil
    }

    /// DATETIME value.
    public var dateTimeValue: String? {
        if case .dateTime(let text) = value { return text }
        return nil
    }

    /// NUM value.
    public var numericValue: NumericValue? {
        if case .numeric(let number, _) = value { return number }
        return nil
    }
}
