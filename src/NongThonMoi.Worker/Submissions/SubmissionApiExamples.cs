using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NongThonMoi.Infrastructure;
using NongThonMoi.Infrastructure.Web;

namespace NongThonMoi.Submissions;

/// <summary>What a district's IT staff need beside the routes in the OpenAPI document: the bodies to send, by example (README, "Reporting API").</summary>
public static class SubmissionApiExamples
{
    private const string Json = """
        { "unit": "178", "period": "2026-W48",
          "communes": [ { "code": "06190", "status": "dat-chuan", "recognized_year": 2019,
                          "criteria_met": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19],
                          "indicators": { "10.1": 41.5 } } ],
          "data": { "ocop_3_sao": 4 } }
        """;

    private const string Csv = """
        commune_code,status,recognized_year,tc01,tc02,tc03,tc04,tc05,tc06,tc07,tc08,tc09,tc10
        06190,dat-chuan,2019,1,1,1,1,1,1,1,1,1,1
        """;

    public static IServiceCollection AddSubmissionApiExamples(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>(ApiDocument.Name, o => o.AddOperationTransformer((operation, context, _) =>
        {
            var path = context.Description.RelativePath?.TrimEnd('/');
            if (context.Description.HttpMethod != "POST" || path is not ("api/submissions" or "api/submissions/file")) return Task.CompletedTask;
            operation.Summary = path == "api/submissions/file"
                ? "Gửi báo cáo dạng tệp (CSV, Excel .xlsx/.xls, hoặc multipart/form-data với một tệp); ?unit=CODE&period=P"
                : "Gửi báo cáo dạng JSON";
            var content = new Dictionary<string, OpenApiMediaType>();
            if (path == "api/submissions") content["application/json"] = new OpenApiMediaType { Example = JsonNode.Parse(Json) };
            else
            {
                content["text/csv"] = new OpenApiMediaType { Example = JsonValue.Create(Csv) };
                // The workbooks are binary: named so a client knows the media types the address takes, without an example.
                content[Spreadsheet.ContentType] = new OpenApiMediaType();
                content[XlsSubmissionReader.ContentType] = new OpenApiMediaType();
                content["multipart/form-data"] = new OpenApiMediaType();
            }
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
            return Task.CompletedTask;
        }));
}
