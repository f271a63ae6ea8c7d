using System.Text.Json;
using NongThonMoi.Infrastructure;

namespace NongThonMoi.Programme;

/// <summary>
/// Reads the reference folder (units.csv, mergers.csv, criteria/*.json, targets.json, committees.json, data-elements.json)
/// and checks it whole: the first problem stops the load with its file, line and reason.
/// </summary>
public static class ReferenceLoader
{
    public static ReferenceData Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new ReferenceException(directory, null, "the reference folder does not exist (Reference:Directory)");

        var units = UnitsFile.Parse(Path.Combine(directory, "units.csv"));
        var mergers = MergersFile.Parse(Path.Combine(directory, "mergers.csv"), units);
        var criteriaSets = CriteriaFile.ParseFolder(Path.Combine(directory, "criteria"));
        // Targets and committees name a code, whichever of its versions: a committee outlives a rename.
        var codes = units.GroupBy(u => u.Code).ToDictionary(g => g.Key, g => g.Last());
        var targets = ParseTargets(Path.Combine(directory, "targets.json"), codes);
        var committees = ParseCommittees(Path.Combine(directory, "committees.json"), codes);
        var elements = ParseDataElements(Path.Combine(directory, "data-elements.json"));
        return new ReferenceData(units, criteriaSets, targets, committees, elements, mergers);
    }

    /// <summary>A missing reference folder next to the working directory falls back to the copy shipped with the program.</summary>
    public static string ResolveDirectory(string configured)
    {
        var fromCwd = Paths.FromWorkingDirectory(configured);
        if (Directory.Exists(fromCwd) || Path.IsPathRooted(configured)) return fromCwd;
        var shipped = Path.Combine(AppContext.BaseDirectory, configured);
        return Directory.Exists(shipped) ? shipped : fromCwd;
    }

    internal static JsonDocument ReadJson(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            var span = bytes.AsSpan();
            if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
            return JsonDocument.Parse(span.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ReferenceException(Path.GetFileName(path), (int?)e.LineNumber + 1, "not valid JSON: " + e.Message.Split(" LineNumber")[0]);
        }
    }

    /// <summary>The line on which <paramref name="needle"/> first appears, to point at a bad entry of a JSON file.</summary>
    internal static int? LineOf(string path, string needle)
    {
        var lines = File.ReadAllLines(path);
        var index = Array.FindIndex(lines, l => l.Contains(needle, StringComparison.Ordinal));
        return index < 0 ? null : index + 1;
    }

    private static List<Target> ParseTargets(string path, Dictionary<string, Unit> units)
    {
        if (!File.Exists(path)) return [];
        const string file = "targets.json";
        using var doc = ReadJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ReferenceException(file, 1, "expected an object of years");
        var targets = new List<Target>();
        foreach (var year in doc.RootElement.EnumerateObject())
        {
            if (!int.TryParse(year.Name, out var y) || y is < 2000 or > 2100)
                throw new ReferenceException(file, LineOf(path, $"\"{year.Name}\""), $"\"{year.Name}\" is not a year");
            foreach (var part in year.Value.EnumerateObject())
            {
                if (part.Name == "province") AddAll("province", part.Value);
                else if (part.Name == "districts")
                {
                    foreach (var unit in part.Value.EnumerateObject())
                    {
                        if (!units.ContainsKey(unit.Name))
                            throw new ReferenceException(file, LineOf(path, $"\"{unit.Name}\""), $"{y}: unit \"{unit.Name}\" is not in units.csv");
                        AddAll(unit.Name, unit.Value);
                    }
                }
                else throw new ReferenceException(file, LineOf(path, $"\"{part.Name}\""), $"{y}: \"{part.Name}\" is neither \"province\" nor \"districts\"");
            }

            void AddAll(string scope, JsonElement values)
            {
                foreach (var kv in values.EnumerateObject())
                {
                    if (!ReferenceData.TargetKeys.Contains(kv.Name))
                        throw new ReferenceException(file, LineOf(path, $"\"{kv.Name}\""),
                            $"{y} {scope}: unknown target \"{kv.Name}\" (known: {string.Join(", ", ReferenceData.TargetKeys)})");
                    if (kv.Value.ValueKind != JsonValueKind.Number || kv.Value.GetDecimal() < 0)
                        throw new ReferenceException(file, LineOf(path, $"\"{kv.Name}\""), $"{y} {scope}: \"{kv.Name}\" must be a non-negative number");
                    targets.Add(new Target(y, scope, kv.Name, kv.Value.GetDecimal()));
                }
            }
        }
        return targets;
    }

    private static List<Committee> ParseCommittees(string path, Dictionary<string, Unit> units)
    {
        if (!File.Exists(path)) return [];
        const string file = "committees.json";
        using var doc = ReadJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new ReferenceException(file, 1, "expected an array of committees");
        var committees = new List<Committee>();
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var id = Str(c, "id");
            var line = LineOf(path, $"\"{id}\"");
            if (string.IsNullOrWhiteSpace(id)) throw new ReferenceException(file, null, $"committee #{committees.Count + 1} has no \"id\"");
            if (committees.Any(x => x.Id == id)) throw new ReferenceException(file, line, $"committee \"{id}\" appears twice");
            var name = Str(c, "name");
            if (string.IsNullOrWhiteSpace(name)) throw new ReferenceException(file, line, $"committee \"{id}\" has no \"name\"");
            var scope = Str(c, "scope") ?? "";
            if (scope != "province" && !units.ContainsKey(scope))
                throw new ReferenceException(file, line, $"committee \"{id}\": scope \"{scope}\" is neither \"province\" nor a unit of units.csv");
            var reminders = c.TryGetProperty("reminders", out var r) && r.ValueKind == JsonValueKind.True;
            var members = new List<CommitteeMember>();
            if (c.TryGetProperty("members", out var ms) && ms.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in ms.EnumerateArray())
                {
                    var email = Str(m, "email")?.Trim() ?? "";
                    if (!MimeKit.MailboxAddress.TryParse(email, out var address) || !address.Address.Contains('@'))
                        throw new ReferenceException(file, LineOf(path, email.Length > 0 ? email : $"\"{id}\""), $"committee \"{id}\": \"{email}\" is not an e-mail address");
                    if (members.Any(x => string.Equals(x.Email, email, StringComparison.OrdinalIgnoreCase)))
                        throw new ReferenceException(file, LineOf(path, email), $"committee \"{id}\": {email} is listed twice");
                    members.Add(new CommitteeMember(Str(m, "name")?.Trim() is { Length: > 0 } n ? n : email, email));
                }
            }
            committees.Add(new Committee(id, name.Trim(), scope, reminders, members));
        }
        return committees;
    }

    private static List<DataElement> ParseDataElements(string path)
    {
        if (!File.Exists(path)) return [];
        const string file = "data-elements.json";
        using var doc = ReadJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new ReferenceException(file, 1, "expected an array of data elements");
        var list = new List<DataElement>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var code = Str(e, "code") ?? "";
            var line = LineOf(path, $"\"{code}\"");
            if (code.Length == 0 || !code.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
                throw new ReferenceException(file, line, $"\"{code}\" is not a code (lower-case letters, digits and _)");
            if (list.Any(x => x.Code == code)) throw new ReferenceException(file, line, $"\"{code}\" appears twice");
            var name = Str(e, "name");
            if (string.IsNullOrWhiteSpace(name)) throw new ReferenceException(file, line, $"\"{code}\" has no \"name\"");
            list.Add(new DataElement(code, name.Trim(), Str(e, "unit")?.Trim() ?? ""));
        }
        return list;
    }

    internal static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
