using System.Text.Json;

namespace NongThonMoi.Submissions;

/// <summary>
/// Reads the JSON body of <c>POST /api/submissions</c> by hand rather than by model binding, so that a wrong
/// type is reported with its exact place (<c>communes[3].criteria_met</c>) instead of a serializer message.
/// </summary>
public static class JsonSubmissionReader
{
    public static SubmittedReport Read(ReadOnlySpan<byte> body)
    {
        // System.Text.Json checks the structure but leaves a string's bytes to GetString, which would throw
        // InvalidOperationException (a 500) on a body saved in a legacy encoding; refuse it here, naming the byte.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            var valid = FirstInvalidByte(body);
            throw new UnreadableSubmissionException($"byte {valid + 1}", "nội dung không phải mã UTF-8; lưu tệp JSON bằng mã UTF-8 rồi gửi lại");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new UnreadableSubmissionException($"dòng {(e.LineNumber ?? 0) + 1}, vị trí {(e.BytePositionInLine ?? 0) + 1}",
                "nội dung không phải JSON hợp lệ");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new UnreadableSubmissionException("$", "nội dung phải là một đối tượng JSON { … }");
            var unit = String(root, "unit", "unit") ?? "";
            var period = String(root, "period", "period") ?? "";
            if (!root.TryGetProperty("communes", out var communes) || communes.ValueKind != JsonValueKind.Array)
                throw new UnreadableSubmissionException("communes", "phải có danh sách \"communes\": [ … ]");

            var list = new List<SubmittedCommune>();
            var i = 0;
            foreach (var c in communes.EnumerateArray())
            {
                var place = $"communes[{i}]";
                if (c.ValueKind != JsonValueKind.Object) throw new UnreadableSubmissionException(place, "mỗi xã phải là một đối tượng { … }");
                var code = String(c, "code", $"{place}.code") ?? "";
                var status = String(c, "status", $"{place}.status") ?? "";
                int? year = null;
                if (c.TryGetProperty("recognized_year", out var y) && y.ValueKind != JsonValueKind.Null)
                {
                    if (y.ValueKind != JsonValueKind.Number || !y.TryGetInt32(out var yy))
                        throw new UnreadableSubmissionException($"{place}.recognized_year", "phải là một năm (số nguyên), ví dụ 2019");
                    year = yy;
                }
                var met = new List<int>();
                if (c.TryGetProperty("criteria_met", out var m) && m.ValueKind != JsonValueKind.Null)
                {
                    if (m.ValueKind != JsonValueKind.Array)
                        throw new UnreadableSubmissionException($"{place}.criteria_met", "phải là danh sách số thứ tự tiêu chí, ví dụ [1, 2, 3]");
                    var j = 0;
                    foreach (var n in m.EnumerateArray())
                    {
                        if (n.ValueKind != JsonValueKind.Number || !n.TryGetInt32(out var num))
                            throw new UnreadableSubmissionException($"{place}.criteria_met[{j}]", "phải là số thứ tự tiêu chí (số nguyên)");
                        met.Add(num);
                        j++;
                    }
                }
                else throw new UnreadableSubmissionException($"{place}.criteria_met", "thiếu danh sách tiêu chí đạt \"criteria_met\"");
                list.Add(new SubmittedCommune(i + 1, code, status, year, met, Numbers(c, "indicators", $"{place}.indicators")));
                i++;
            }
            return new SubmittedReport(unit, period, list, Numbers(root, "data", "data"));
        }
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> body)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(body, new char[body.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? body.Length : read;
    }

    private static string? String(JsonElement e, string name, string place)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!.Trim(),
            // A code typed as a number loses its leading zero (06190 → 6190): refuse rather than guess.
            _ => throw new UnreadableSubmissionException(place, $"phải là chuỗi ký tự trong dấu nháy, ví dụ \"{(name == "period" ? "2026-W48" : "06190")}\""),
        };
    }

    private static Dictionary<string, decimal> Numbers(JsonElement e, string name, string place)
    {
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (!e.TryGetProperty(name, out var obj) || obj.ValueKind == JsonValueKind.Null) return result;
        if (obj.ValueKind != JsonValueKind.Object) throw new UnreadableSubmissionException(place, "phải là một đối tượng { \"mã\": số }");
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDecimal(out var value))
                throw new UnreadableSubmissionException($"{place}.{p.Name}", "phải là một số");
            result[p.Name] = value;
        }
        return result;
    }
}
