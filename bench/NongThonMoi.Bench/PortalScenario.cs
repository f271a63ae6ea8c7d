using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace NongThonMoi.Bench;

/// <summary>
/// The district portal as one clerk uses it: the home page and the entry form of the unit with the most communes, and
/// uploads of its pre-filled CSV template, each on a signed-in session (cookie, anti-forgery token), one at a time.
/// </summary>
public static partial class PortalScenario
{
    public sealed record Outcome(string Unit, int Communes, double HomeMedianMs, double FormMedianMs, double UploadMedianMs, int Failed);

    public static async Task<Outcome> RunAsync(Uri baseUrl, GeneratedDistrict district, string code, int rounds)
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = baseUrl };
        var signIn = await client.PostAsync("/", Form(await TokenAsync(client), [new("ma", code)]));
        if (signIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"portal sign-in answered {(int)signIn.StatusCode}");

        var home = await TimeAsync(client, "/", rounds);
        var form = await TimeAsync(client, "/nhap", rounds);
        var template = await client.GetByteArrayAsync("/mau/bao-cao.csv");
        var token = await TokenAsync(client);
        var upload = new List<double>();
        var failed = 0;
        for (var i = 0; i < rounds; i++)
        {
            // Blank lines at the end are skipped by the reader but make each body new, so none is answered as a repeat.
            var body = template.Concat(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\r\n", i + 1)))).ToArray();
            using var content = new MultipartFormDataContent { { new StringContent(token), "__af" }, { new ByteArrayContent(body), "tep", "bao-cao.csv" } };
            var start = Stopwatch.GetTimestamp();
            var response = await client.PostAsync("/nop-tep", content);
            upload.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.Redirect) failed++;
        }
        return new Outcome(district.Code, district.Communes.Count, Median(home), Median(form), Median(upload), failed);
    }

    private static async Task<List<double>> TimeAsync(HttpClient client, string path, int rounds)
    {
        var times = new List<double>();
        for (var i = 0; i < rounds + 3; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
            if (i >= 3) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds); // the first few warm the page up
        }
        return times;
    }

    private static async Task<string> TokenAsync(HttpClient client) =>
        AntiForgery().Match(await client.GetStringAsync("/")).Groups[1].Value;

    private static FormUrlEncodedContent Form(string token, IEnumerable<KeyValuePair<string, string>> fields) =>
        new([.. fields, new("__af", token)]);

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    [GeneratedRegex("""name="__af" type="hidden" value="([^"]+)""")]
    private static partial Regex AntiForgery();
}
