with

source as (

    select * from {{ source('raw', 'cuoc_hop') }}

),

renamed as (

    select
        _month as month_date,
        meeting_id,
        title as meeting_title,
        meeting_date,
        unit_code,
        chair_official_code,
        conclusion_notice,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
