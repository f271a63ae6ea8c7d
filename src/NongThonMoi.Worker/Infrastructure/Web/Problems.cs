using Microsoft.AspNetCore.Http.HttpResults;

namespace NongThonMoi.Infrastructure.Web;

/// <summary>Every API error as <c>application/problem+json</c> (RFC 9457), with a <c>detail</c> a person can act on.</summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ProblemHttpResult TooLarge() =>
        Of(StatusCodes.Status413PayloadTooLarge, "Request too large", "Tệp quá lớn (tối đa 5 MB).");
}
