using System.Globalization;
using System.Text;
using NongThonMoi.Programme;

namespace NongThonMoi.Submissions;

/// <summary>One row of a CSV file or an Excel sheet, as text, with the row number the district sees.</summary>
public sealed record SheetRow(int Row, IReadOnlyList<string> Cells);

/// <summary>
/// Turns the rows of a CSV file or the first Excel sheet into the same <see cref="SubmittedReport"/> as JSON:
/// header <c>commune_code,status,recognized_year,tc01,…,tcNN</c> (README, "Reporting API"), one row per commune.
/// A header that cannot be understood is a 400; a cell that cannot be understood is reported with the row,
/// commune and column, beside the rule errors, so the sheet is fixed in one go.
/// </summary>
public static class TabularSubmissionReader
{
    public const string CodeColumn = "commune_code";
    public const string NameColumn = "commune_name";
    public const string StatusColumn = "status";
    public const string YearColumn = "recognized_year";

    /// <summary>Mã đơn vị hành chính cấp xã: five digits.</summary>
    private const int CommuneCodeDigits = 5;

    /// <summary>
    /// A submission has one row per commune: a few dozen for a district, and no province has two thousand communes.
    /// Rows and cells beyond these caps are a crafted or broken file (a BIFF record that claims 65,536 rows, a sheet
    /// formatted to its last column), refused while reading instead of held in memory.
    /// </summary>
    internal const int MaxRows = 20_000;

    /// <inheritdoc cref="MaxRows"/>
    internal const long MaxCells = 1_000_000;

    internal static UnreadableSubmissionException TooLarge(string kind) =>
        new("tệp", $"tệp {kind} có hơn {Vn.Int(MaxRows)} dòng hoặc {Vn.Int((int)MaxCells)} ô, không phải một bảng báo cáo; xóa các dòng, cột thừa hoặc dùng tệp mẫu tại /api/templates/submission.xlsx");

    public static string CriterionColumn(int number) => $"tc{number:00}";

    public static SubmittedReport Read(IReadOnlyList<SheetRow> rows, string unit, string period)
    {
        if (rows.Count == 0)
            throw new UnreadableSubmissionException("dòng 1", $"tệp trống; dòng đầu phải là tiêu đề {CodeColumn},{StatusColumn},{YearColumn},tc01,…");
        var header = rows[0];
        var columns = Header(header);
        var criteria = columns.Where(c => c.Value.Criterion is not null).OrderBy(c => c.Key).Select(c => c.Value.Criterion!.Value).ToList();

        var errors = new List<SubmissionError>();
        var communes = new List<SubmittedCommune>();
        foreach (var row in rows.Skip(1))
        {
            // Excel keeps formatting on rows below the table; a row with nothing in it is not a commune.
            if (row.Cells.All(c => c.Trim().Length == 0)) continue;
            string Cell(string name) => Of(row, columns.First(c => c.Value.Name == name).Key);

            var code = Cell(CodeColumn);
            // Commune codes have five digits; a spreadsheet that took one for a number dropped its leading zeros.
            if (code.Length is > 0 and < CommuneCodeDigits && code.All(char.IsAsciiDigit)) code = code.PadLeft(CommuneCodeDigits, '0');
            var who = code.Length > 0 ? code : $"dòng {row.Row}";
            var where = code.Length > 0 ? $"dòng {row.Row} (xã {code})" : $"dòng {row.Row}";
            if (row.Cells.Count > header.Cells.Count && row.Cells.Skip(header.Cells.Count).Any(c => c.Trim().Length > 0))
                errors.Add(new(who, "row", $"{where} có ô ghi bên phải cột cuối cùng ({header.Cells[^1]}); xóa các ô đó hoặc thêm tiêu đề cho cột"));

            int? year = null;
            var yearText = Cell(YearColumn);
            if (yearText.Length > 0)
            {
                if (int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var y)) year = y;
                else errors.Add(new(who, YearColumn, $"{where}, cột {YearColumn}: \"{yearText}\" không phải là một năm; ghi năm bằng số, ví dụ 2019, hoặc để trống nếu xã chưa đạt chuẩn"));
            }

            var met = new List<int>();
            foreach (var (index, column) in columns.Where(c => c.Value.Criterion is not null).OrderBy(c => c.Key))
            {
                var text = Of(row, index);
                switch (Criterion(text))
                {
                    case true: met.Add(column.Criterion!.Value); break;
                    case false: break;
                    case null:
                        errors.Add(new(who, column.Name, text.Length == 0
                            ? $"{where}, cột {column.Name} (tiêu chí {column.Criterion}): ô đang để trống; ghi 1 (hoặc x, Đạt) nếu đạt, 0 (hoặc Chưa đạt) nếu chưa đạt"
                            : $"{where}, cột {column.Name} (tiêu chí {column.Criterion}): không hiểu \"{text}\"; ghi 1 (hoặc x, Đạt) nếu đạt, 0 (hoặc Chưa đạt) nếu chưa đạt"));
                        break;
                }
            }
            communes.Add(new SubmittedCommune(row.Row, code, Status(Cell(StatusColumn)), year, met, new Dictionary<string, decimal>()));
        }
        return new SubmittedReport(unit, period, communes, new Dictionary<string, decimal>()) { ReadErrors = errors, CriteriaColumns = criteria };
    }

    private sealed record Column(string Name, int? Criterion);

    private static Dictionary<int, Column> Header(SheetRow header)
    {
        var columns = new Dictionary<int, Column>();
        var problems = new List<string>();
        for (var i = 0; i < header.Cells.Count; i++)
        {
            var name = header.Cells[i].Trim().ToLowerInvariant();
            if (name.Length == 0)
            {
                // A blank header cell after the last column is how spreadsheets pad a row; one in between is a mistake.
                if (header.Cells.Skip(i).All(c => c.Trim().Length == 0)) break;
                problems.Add($"cột thứ {i + 1} không có tiêu đề");
                continue;
            }
            int? criterion = null;
            if (name.Length > 2 && name.StartsWith("tc", StringComparison.Ordinal)
                && int.TryParse(name[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                criterion = n;
                name = CriterionColumn(n);
            }
            else if (name is not (CodeColumn or NameColumn or StatusColumn or YearColumn))
            {
                problems.Add($"cột \"{header.Cells[i].Trim()}\" không có trong mẫu");
                continue;
            }
            if (columns.Values.Any(c => c.Name == name)) problems.Add($"cột {name} có hai lần");
            else columns[i] = new Column(name, criterion);
        }
        foreach (var required in new[] { CodeColumn, StatusColumn, YearColumn }.Where(r => columns.Values.All(c => c.Name != r)))
            problems.Add($"thiếu cột {required}");
        if (columns.Values.All(c => c.Criterion is null)) problems.Add("thiếu các cột tiêu chí tc01, tc02, …");
        if (problems.Count > 0)
            throw new UnreadableSubmissionException($"dòng {header.Row} (tiêu đề)",
                $"{string.Join("; ", problems)}. Tiêu đề phải là {CodeColumn},{StatusColumn},{YearColumn},tc01,…,tcNN — tải tệp mẫu tại /api/templates/submission.csv");
        return columns;
    }

    private static string Of(SheetRow row, int index) => index < row.Cells.Count ? row.Cells[index].Trim() : "";

    /// <summary>true met, false not met, null unreadable (empty included: the README makes an empty cell an error).</summary>
    internal static bool? Criterion(string cell) => Fold(cell) switch
    {
        "1" or "x" or "dat" => true,
        "0" or "chua dat" => false,
        _ => null,
    };

    /// <summary>
    /// The status code as the contract spells it when the cell folds to one or to its name ("Đạt chuẩn", "DAT-CHUAN",
    /// "NTM nâng cao");
    /// otherwise the cell as written, so the validator's message quotes what the district typed.
    /// </summary>
    internal static string Status(string cell)
    {
        var folded = StatusKey(cell);
        return Statuses.All.FirstOrDefault(s => s == folded || StatusKey(Vn.Status(s)) == folded) ?? cell.Trim();
    }

    private static string StatusKey(string text) => string.Join('-', Fold(text).Split([' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Lower case, no diacritics (đ → d), single spaces: "ĐẠT", "Đạt" and a decomposed "Đạt" all give "dat".</summary>
    internal static string Fold(string text)
    {
        var decomposed = text.Trim().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsWhiteSpace(ch)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(ch is 'đ' or 'Đ' ? 'd' : char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }
}
