namespace NongThonMoi.Programme;

/// <summary>The statuses a commune can report (tình trạng xã), lowest first.</summary>
public static class Statuses
{
    /// <summary>chưa đạt chuẩn</summary>
    public const string NotMet = "chua-dat";
    /// <summary>đạt chuẩn NTM</summary>
    public const string Standard = "dat-chuan";
    /// <summary>NTM nâng cao</summary>
    public const string Advanced = "nang-cao";
    /// <summary>NTM kiểu mẫu</summary>
    public const string Model = "kieu-mau";
    /// <summary>NTM hiện đại (2026–2030)</summary>
    public const string Modern = "hien-dai";

    /// <summary>Every status, in rank order; a criteria set declares which of them its periods accept.</summary>
    public static readonly IReadOnlyList<string> All = [NotMet, Standard, Advanced, Model, Modern];
}
