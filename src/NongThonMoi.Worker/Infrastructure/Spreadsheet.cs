namespace NongThonMoi.Infrastructure;

/// <summary>What every <c>.xlsx</c> this system writes or reads shares: its media type and inert text cells.</summary>
public static class Spreadsheet
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>
    /// A text that starts like a formula (<c>= + - @</c>, or a tab/CR that some programs strip first) gets a leading
    /// apostrophe, the spreadsheet convention for "this is text" (OWASP, CSV/formula injection). Names come from
    /// files people edit, and a sheet may be re-saved as CSV, where a string cell would turn back into a formula.
    /// </summary>
    public static string Text(string? value) =>
        string.IsNullOrEmpty(value) ? "" : value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
