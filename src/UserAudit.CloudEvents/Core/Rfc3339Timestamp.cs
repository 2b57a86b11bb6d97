using System.Globalization;

namespace UserAudit.CloudEvents.Core;

/// <summary>
/// Fast paths for the RFC 3339 timestamps of the <c>time</c> attribute, which every message carries.
/// The output is the same text the CloudEvents SDK produces (3, 6 or 7 fractional digits, as
/// needed; <c>Z</c> for UTC); parsing handles the common strict shape and leaves everything else to
/// the SDK, so accepted and rejected values are the SDK's.
/// </summary>
public static class Rfc3339Timestamp
{
    private const int MaxLength = 33; // yyyy-MM-ddTHH:mm:ss.fffffff+hh:mm

    /// <summary>Formats the value as UTF-8 without an intermediate string.</summary>
    /// <param name="value">The timestamp.</param>
    /// <returns>The RFC 3339 text, as UTF-8 bytes.</returns>
    public static byte[] FormatUtf8(DateTimeOffset value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        var clock = value.DateTime;
        int length = 0;
        Digits(buffer, ref length, clock.Year, 4);
        buffer[length++] = (byte)'-';
        Digits(buffer, ref length, clock.Month, 2);
        buffer[length++] = (byte)'-';
        Digits(buffer, ref length, clock.Day, 2);
        buffer[length++] = (byte)'T';
        Digits(buffer, ref length, clock.Hour, 2);
        buffer[length++] = (byte)':';
        Digits(buffer, ref length, clock.Minute, 2);
        buffer[length++] = (byte)':';
        Digits(buffer, ref length, clock.Second, 2);
        long fraction = clock.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            buffer[length++] = (byte)'.';
            if (fraction % TimeSpan.TicksPerMillisecond == 0)
            {
                Digits(buffer, ref length, (int)(fraction / TimeSpan.TicksPerMillisecond), 3);
            }
            else if (fraction % 10 == 0)
            {
                Digits(buffer, ref length, (int)(fraction / 10), 6);
            }
            else
            {
                Digits(buffer, ref length, (int)fraction, 7);
            }
        }
        var offset = value.Offset;
        if (offset == TimeSpan.Zero)
        {
            buffer[length++] = (byte)'Z';
        }
        else
        {
            buffer[length++] = offset < TimeSpan.Zero ? (byte)'-' : (byte)'+';
            int minutes = Math.Abs((int)offset.TotalMinutes);
            Digits(buffer, ref length, minutes / 60, 2);
            buffer[length++] = (byte)':';
            Digits(buffer, ref length, minutes % 60, 2);
        }
        return buffer[..length].ToArray();
    }

    /// <summary>
    /// Parses <c>yyyy-MM-ddTHH:mm:ss[.f{1,7}](Z|±hh:mm)</c>. Returns false for anything else,
    /// including values that might be valid in another form, so the caller falls back to the SDK.
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="value">The timestamp, when the text has the strict shape.</param>
    /// <returns>True when the text was parsed.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
        {
            return false;
        }
        if (!Number(text, 0, 4, out int year) || !Number(text, 5, 2, out int month) || !Number(text, 8, 2, out int day)
            || !Number(text, 11, 2, out int hour) || !Number(text, 14, 2, out int minute) || !Number(text, 17, 2, out int second))
        {
            return false;
        }
        int position = 19;
        long fractionTicks = 0;
        if (text[position] == '.')
        {
            int start = ++position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }
            int digits = position - start;
            if (digits is 0 or > 7 || !Number(text, start, digits, out int fraction))
            {
                return false;
            }
            fractionTicks = fraction;
            for (int i = digits; i < 7; i++)
            {
                fractionTicks *= 10;
            }
        }
        TimeSpan offset;
        if (position == text.Length - 1 && text[position] == 'Z')
        {
            offset = TimeSpan.Zero;
        }
        else if (position == text.Length - 6 && text[position] is '+' or '-' && text[position + 3] == ':'
            && Number(text, position + 1, 2, out int offsetHours) && Number(text, position + 4, 2, out int offsetMinutes)
            && offsetHours <= 14 && offsetMinutes < 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (text[position] == '-')
            {
                offset = -offset;
            }
            if (offset.Duration() > TimeSpan.FromHours(14))
            {
                return false;
            }
        }
        else
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var clock = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        var utcTicks = clock.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        value = new DateTimeOffset(clock, offset);
        return true;
    }

    private static bool Number(ReadOnlySpan<char> text, int start, int count, out int value) =>
        int.TryParse(text.Slice(start, count), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static void Digits(Span<byte> buffer, ref int length, int value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            buffer[length + i] = (byte)('0' + value % 10);
            value /= 10;
        }
        length += count;
    }
}
