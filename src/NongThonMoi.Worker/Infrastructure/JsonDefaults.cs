using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace NongThonMoi.Infrastructure;

/// <summary>snake_case everywhere (API and stored payloads); Vietnamese left readable, markup still escaped.</summary>
public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        options.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
        return options;
    }
}
