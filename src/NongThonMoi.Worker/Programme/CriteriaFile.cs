using System.Text.Json;

namespace NongThonMoi.Programme;

/// <summary>
/// <c>criteria/*.json</c>: one national criteria set per file. Only the parts the figures need are read
/// here; indicators and thresholds stay in <see cref="CriteriaSet.Definition"/> for the engine that checks them.
/// </summary>
public static class CriteriaFile
{
    public static List<CriteriaSet> ParseFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new ReferenceException("criteria/", null, "the folder of criteria sets is missing");
        var sets = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).Select(Parse).ToList();
        if (sets.Count == 0) throw new ReferenceException("criteria/", null, "no criteria set (*.json) in the folder");
        foreach (var a in sets)
            foreach (var b in sets.Where(b => string.CompareOrdinal(b.Id, a.Id) > 0))
            {
                if (a.Id == b.Id) throw new ReferenceException("criteria/", null, $"two files declare the set \"{a.Id}\"");
                if (a.YearFrom <= b.YearTo && b.YearFrom <= a.YearTo)
                    throw new ReferenceException("criteria/", null, $"the sets \"{a.Id}\" and \"{b.Id}\" overlap in years");
            }
        return sets.OrderBy(s => s.YearFrom).ToList();
    }

    public static CriteriaSet Parse(string path)
    {
        var file = "criteria/" + Path.GetFileName(path);
        using var doc = ReferenceLoader.ReadJson(path);
        var root = doc.RootElement;
        int? Line(string needle) => ReferenceLoader.LineOf(path, needle);
        string Required(string name) => ReferenceLoader.Str(root, name) is { Length: > 0 } v
            ? v : throw new ReferenceException(file, null, $"\"{name}\" is missing");

        var id = Required("id");
        var title = Required("title");
        var legalBasis = Required("legal_basis");
        if (!root.TryGetProperty("years", out var years) || !years.TryGetProperty("from", out var from) || !years.TryGetProperty("to", out var to)
            || !from.TryGetInt32(out var yearFrom) || !to.TryGetInt32(out var yearTo) || yearFrom > yearTo)
            throw new ReferenceException(file, Line("\"years\""), "\"years\" must be { \"from\": YYYY, \"to\": YYYY } with from ≤ to");

        var statuses = root.TryGetProperty("statuses", out var st) && st.ValueKind == JsonValueKind.Array
            ? st.EnumerateArray().Select(s => s.GetString() ?? "").ToList() : [];
        if (statuses.Count == 0 || !statuses.Contains("chua-dat") || statuses.Any(s => !Statuses.All.Contains(s)))
            throw new ReferenceException(file, Line("\"statuses\""), $"\"statuses\" must list chua-dat and others of {string.Join(", ", Statuses.All)}");

        var criteria = new List<Criterion>();
        if (!root.TryGetProperty("criteria", out var cs) || cs.ValueKind != JsonValueKind.Array)
            throw new ReferenceException(file, null, "\"criteria\" must be an array");
        foreach (var c in cs.EnumerateArray())
        {
            var number = c.TryGetProperty("number", out var n) && n.TryGetInt32(out var num) ? num : 0;
            var name = ReferenceLoader.Str(c, "name");
            if (number != criteria.Count + 1 || string.IsNullOrWhiteSpace(name))
                throw new ReferenceException(file, Line($"\"number\": {number}"), $"criterion #{criteria.Count + 1} must have \"number\": {criteria.Count + 1} and a \"name\"");
            int? group = c.TryGetProperty("group", out var g) && g.TryGetInt32(out var gn) ? gn : null;
            criteria.Add(new Criterion(number, name.Trim(), group));
        }
        if (criteria.Count == 0) throw new ReferenceException(file, null, "the set has no criteria");

        var bands = new List<Band>();
        if (root.TryGetProperty("bands", out var bs) && bs.ValueKind == JsonValueKind.Array)
        {
            foreach (var b in bs.EnumerateArray())
            {
                var label = ReferenceLoader.Str(b, "label") ?? "";
                if (!b.TryGetProperty("min", out var mn) || !b.TryGetProperty("max", out var mx) || !mn.TryGetInt32(out var min) || !mx.TryGetInt32(out var max) || label.Length == 0)
                    throw new ReferenceException(file, Line("\"bands\""), "each band needs \"label\", \"min\" and \"max\"");
                bands.Add(new Band(label, min, max));
            }
        }
        for (var met = 0; met <= criteria.Count; met++)
        {
            var matching = bands.Count(b => met >= b.Min && met <= b.Max);
            if (matching != 1)
                throw new ReferenceException(file, Line("\"bands\""), $"the bands must cover 0..{criteria.Count} once each; {met} criteria fall in {matching} bands");
        }

        return new CriteriaSet(id, title, legalBasis, yearFrom, yearTo, statuses, bands, criteria, root.GetRawText());
    }
}
