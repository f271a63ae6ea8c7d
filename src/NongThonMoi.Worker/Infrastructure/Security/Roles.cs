namespace NongThonMoi.Infrastructure.Security;

/// <summary>Who a caller is, as the authentication handlers describe it in claims.</summary>
public static class Roles
{
    public const string Admin = "admin";
    /// <summary>A reporting unit (đơn vị báo cáo) holding a submission token.</summary>
    public const string District = "district";
    public const string UnitClaim = "ntm:unit";
    public const string TokenClaim = "ntm:token";
}
